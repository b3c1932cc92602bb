"""What running governance asks of the gates (registered in registrations.py)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import OuterRef, Subquery

from governance.models import Incident, Suspension
from lifecycle.models import UseCase
from signoff.gates import Requirement

_NOT_LOADED = object()


def active_suspension_subquery(field: str) -> Subquery:
    """One column of the use case's standing suspension, for the gate to annotate on the use case it loads."""
    active = Suspension.objects.filter(use_case=OuterRef("pk"), lifted_at__isnull=True)
    return Subquery(active.values(field)[:1])


def suspension_check(use_case: UseCase, stage: int, today: date) -> Requirement | None:
    """A suspended use case runs at no stage, whatever its approvals."""
    since: datetime | object | None = getattr(use_case, "suspended_at", _NOT_LOADED)
    reason = getattr(use_case, "suspension_reason", "")
    if since is _NOT_LOADED:  # loaded elsewhere than the gate: ask
        active = Suspension.objects.filter(use_case=use_case, lifted_at__isnull=True).first()
        since, reason = (active.suspended_at, active.reason) if active is not None else (None, "")
    if not isinstance(since, datetime):
        return None
    return Requirement("governance.not_suspended", False, f"Suspended since {since:%Y-%m-%d}: {reason}")


def blocking_incident_subquery(field: str) -> Subquery:
    """One column of the use case's oldest open blocking incident, for the gate to annotate."""
    blocking = Incident.objects.filter(use_case=OuterRef("pk"), state=Incident.State.OPEN, blocking=True)
    return Subquery(blocking.order_by("aware_at", "id").values(field)[:1])


def blocking_incident_check(use_case: UseCase, stage: int, today: date) -> Requirement | None:
    """An open incident marked blocking stops the use case from running until it is closed."""
    since: datetime | object | None = getattr(use_case, "blocking_incident_since", _NOT_LOADED)
    title = getattr(use_case, "blocking_incident_title", "")
    if since is _NOT_LOADED:  # loaded elsewhere than the gate: ask
        open_one = (
            Incident.objects.filter(use_case=use_case, state=Incident.State.OPEN, blocking=True)
            .order_by("aware_at", "id")
            .first()
        )
        since, title = (open_one.aware_at, open_one.title) if open_one is not None else (None, "")
    if not isinstance(since, datetime):
        return None
    return Requirement(
        "governance.no_blocking_incident", False, f"A blocking incident is open since {since:%Y-%m-%d}: {title}"
    )
