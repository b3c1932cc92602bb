"""What running governance asks of the gates (registered in registrations.py)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from governance.models import BLOCKING_SEVERITIES, Finding, RequirementException, Suspension
from lifecycle.models import UseCase
from signoff.gates import Requirement

_NOT_LOADED = object()
OPEN_FINDINGS_KEY = "governance.findings_closed"


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


def open_findings_check(use_case: UseCase, stage: int) -> list[Requirement]:
    """Open high and critical findings block promotion (and a periodic review) until the second line closes them."""
    blocking = list(
        Finding.objects.filter(use_case=use_case, severity__in=BLOCKING_SEVERITIES)
        .exclude(state=Finding.State.CLOSED)
        .order_by("due_date", "id")
    )
    if not blocking:
        return []  # said only when it blocks: a gate without such findings reads as it always did
    listed = "; ".join(
        f"#{f.pk} {f.get_severity_display().lower()}: {f.title} ({f.get_state_display().lower()})" for f in blocking
    )
    count = f"{len(blocking)} high or critical finding{'s' if len(blocking) != 1 else ''}"
    return [Requirement(OPEN_FINDINGS_KEY, False, f"{count} not yet closed by the second line: {listed}.")]


def exception_waivers(use_case: UseCase) -> dict[str, str]:
    """The requirements the standing exceptions waive, each with what the gate says instead."""
    standing = RequirementException.objects.filter(
        use_case=use_case, withdrawn_at__isnull=True, expires_on__gte=timezone.localdate()
    ).select_related("granted_by")
    return {
        e.requirement_key: f"Waived until {e.expires_on:%Y-%m-%d} by {e.granted_by}: {e.reason}; "
        f"compensating controls: {e.compensating_controls}"
        for e in standing
    }
