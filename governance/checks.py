"""What running governance asks of the gates (registered in registrations.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from governance.models import BLOCKING_SEVERITIES, Finding, Incident, RequirementException, Suspension
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
    return _findings_requirements(list(_blocking_findings().filter(use_case=use_case)))


def open_findings_many(use_cases: list[UseCase], stage: int) -> dict[int, list[Requirement]]:
    """open_findings_check for many use cases with one query (the gate on a list of use cases)."""
    blocking: dict[int, list[Finding]] = defaultdict(list)
    for finding in _blocking_findings().filter(use_case__in=use_cases):
        blocking[finding.use_case_id].append(finding)
    return {u.pk: _findings_requirements(blocking.get(u.pk, [])) for u in use_cases}


def _blocking_findings():
    return (
        Finding.objects.filter(severity__in=BLOCKING_SEVERITIES)
        .exclude(state=Finding.State.CLOSED)
        .order_by("due_date", "id")
    )


def _findings_requirements(blocking: list[Finding]) -> list[Requirement]:
    if not blocking:
        return []  # said only when it blocks: a gate without such findings reads as it always did
    listed = "; ".join(
        f"#{f.pk} {f.get_severity_display().lower()}: {f.title} ({f.get_state_display().lower()})" for f in blocking
    )
    count = f"{len(blocking)} high or critical finding{'s' if len(blocking) != 1 else ''}"
    return [Requirement(OPEN_FINDINGS_KEY, False, f"{count} not yet closed by the second line: {listed}.")]


def exception_waivers(use_case: UseCase) -> dict[str, str]:
    """The requirements the standing exceptions waive, each with what the gate says instead."""
    return {e.requirement_key: _waiver_words(e) for e in _standing_exceptions().filter(use_case=use_case)}


def exception_waivers_many(use_cases: list[UseCase]) -> dict[int, dict[str, str]]:
    """exception_waivers for many use cases with one query (the gate on a list of use cases)."""
    waived: dict[int, dict[str, str]] = defaultdict(dict)
    for e in _standing_exceptions().filter(use_case__in=use_cases):
        waived[e.use_case_id][e.requirement_key] = _waiver_words(e)
    return waived


def _standing_exceptions():
    return RequirementException.objects.filter(
        withdrawn_at__isnull=True, expires_on__gte=timezone.localdate()
    ).select_related("granted_by")


def _waiver_words(e: RequirementException) -> str:
    return (
        f"Waived until {e.expires_on:%Y-%m-%d} by {e.granted_by}: {e.reason}; "
        f"compensating controls: {e.compensating_controls}"
    )


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
