"""The incident register: recorded, reported to the authority within the Art. 73 clock, linked, closed.

Art. 73(2)-(4): a serious incident is reported no later than 15 days after the provider or deployer becomes
aware of it; 10 days in the event of a death; 2 days for a widespread infringement or a serious and
irreversible disruption of critical infrastructure. The clock runs from awareness, in calendar days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import FunctionMembership, User
from audit.services import Verb, audit_record
from governance.access import (
    incident_close_refusal,
    incident_link_refusal,
    incident_record_refusal,
    incident_report_refusal,
)
from governance.models import Incident
from governance.services.suspensions import suspension_active, use_case_suspend
from lifecycle.models import ModelVersion, StageChange, UseCase
from lifecycle.services.base import use_case_lock
from notifications.services import Kind, notify

CLOCK_DAYS: dict[str, int] = {Incident.Clock.STANDARD: 15, Incident.Clock.DEATH: 10, Incident.Clock.WIDESPREAD: 2}
# Who hears of a serious incident at once, besides the owners: those who answer to the authority.
REPORTING_FUNCTIONS = ("compliance", "legal")
# A clock skew between the recorder's machine and the portal is forgiven; a time in the future is not.
FUTURE_SLACK = timedelta(minutes=5)
# Nothing this portal governs went wrong before this; an earlier year is a typing slip.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def report_due_on(*, clock: str, aware_at: datetime) -> date | None:
    """The last day the authority may be told: `aware_at`'s day plus the clock's days; None without a clock."""
    days = CLOCK_DAYS.get(clock)
    return timezone.localdate(aware_at) + timedelta(days=days) if days is not None else None


def _owners(use_case: UseCase) -> list[User]:
    return [u for u in (use_case.technical_owner, use_case.business_owner) if u is not None]


def _reporting_leads() -> list[User]:
    memberships = FunctionMembership.objects.filter(
        function__key__in=REPORTING_FUNCTIONS, is_lead=True, user__is_active=True
    ).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _validate_record(
    *,
    use_case: UseCase,
    severity: str,
    clock: str,
    title: str,
    description: str,
    detected_at: datetime,
    aware_at: datetime,
    version: ModelVersion | None,
) -> None:
    errors: dict[str, str] = {}
    now = timezone.now()
    if severity not in Incident.Severity.values:
        errors["severity"] = f"Choose one of: {', '.join(Incident.Severity.values)}."
    elif severity == Incident.Severity.SERIOUS and clock not in CLOCK_DAYS:
        errors["clock"] = "A serious incident starts an Art. 73 clock: say which (15 days, 10 for a death, 2)."
    elif severity != Incident.Severity.SERIOUS and clock:
        errors["clock"] = "Only a serious incident starts an Art. 73 clock."
    if not title.strip():
        errors["title"] = "Give the incident a title."
    if not description.strip():
        errors["description"] = "Say what happened."
    if detected_at > now + FUTURE_SLACK:
        errors["detected_at"] = "The incident cannot be detected in the future."
    elif detected_at < EARLIEST:
        errors["detected_at"] = "Check the year: the incident cannot be detected before 2000."
    if aware_at > now + FUTURE_SLACK:
        errors["aware_at"] = "Nobody can become aware of it in the future."
    elif aware_at < EARLIEST:
        errors["aware_at"] = "Check the year: nobody became aware of it before 2000."
    elif aware_at < detected_at:
        errors["aware_at"] = "Awareness comes with or after detection: the clock starts at awareness."
    if version is not None and version.use_case_id != use_case.pk:
        errors["version"] = "That version belongs to another use case."
    if errors:
        raise ValidationError(errors)


def incident_record(
    *,
    use_case: UseCase,
    actor: User,
    severity: str,
    title: str,
    description: str,
    detected_at: datetime,
    aware_at: datetime,
    people_affected: str = "",
    clock: str = "",
    version: ModelVersion | None = None,
    blocking: bool = False,
) -> Incident:
    """Record an incident; a serious one starts its Art. 73 clock, and the owners and reporting leads are told."""
    if (refusal := incident_record_refusal(actor, use_case)) is not None:
        refusal.raise_it(on=use_case)
    _validate_record(
        use_case=use_case,
        severity=severity,
        clock=clock,
        title=title,
        description=description,
        detected_at=detected_at,
        aware_at=aware_at,
        version=version,
    )
    due = report_due_on(clock=clock, aware_at=aware_at)
    with transaction.atomic():
        incident = Incident.objects.create(
            use_case=use_case,
            version=version,
            severity=severity,
            title=title.strip(),
            description=description.strip(),
            people_affected=people_affected.strip(),
            detected_at=detected_at,
            aware_at=aware_at,
            clock=clock,
            report_due_on=due,
            blocking=blocking,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_RECORDED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={
                "severity": severity,
                "title": incident.title,
                "clock": clock,
                "report_due_on": due.isoformat() if due else None,
                "detected_at": detected_at.isoformat(),
                "aware_at": aware_at.isoformat(),
                "blocking": blocking,
                "version": version.label if version is not None else None,
            },
        )
        told = _owners(use_case) + (_reporting_leads() if due is not None else [])
        clock_words = f" Report to the authority by {due:%d %b %Y} (Art. 73)." if due is not None else ""
        notify(
            users=list({u.pk: u for u in told if u.pk != actor.pk}.values()),
            kind=Kind.INCIDENT,
            title=f"{incident.get_severity_display()} incident on {use_case.title}: {incident.title}",
            body=f"{'While it is open the use case may not run.' if blocking else ''}{clock_words}".strip(),
            url=incident.get_absolute_url(),
        )
    return incident


def _lock(incident: Incident) -> tuple[Incident, UseCase]:
    """The use case first, then the incident: the lock order (ARCHITECTURE.md)."""
    use_case = use_case_lock(use_case=incident.use_case)
    return Incident.objects.select_for_update().get(pk=incident.pk), use_case


def incident_mark_reported(*, incident: Incident, actor: User, reported_at: datetime | None = None) -> Incident:
    """Record that the authority was told; the clock's reminders stop."""
    if (refusal := incident_report_refusal(actor, incident.use_case)) is not None:
        refusal.raise_it(on=incident.use_case)
    reported_at = reported_at or timezone.now()
    with transaction.atomic():
        incident, use_case = _lock(incident)
        if incident.report_due_on is None:
            raise ValidationError("No Art. 73 report is due for this incident.")
        if incident.reported_at is not None:
            raise ValidationError(f"Already marked reported on {incident.reported_at:%Y-%m-%d}.")
        if reported_at > timezone.now() + FUTURE_SLACK:
            raise ValidationError({"reported_at": "The report cannot be made in the future."})
        if reported_at < incident.aware_at:
            raise ValidationError({"reported_at": "The report cannot precede awareness of the incident."})
        incident.reported_at, incident.reported_by = reported_at, actor
        incident.save(update_fields=["reported_at", "reported_by"])
        late = timezone.localdate(reported_at) > incident.report_due_on
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_REPORTED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={
                "reported_at": reported_at.isoformat(),
                "report_due_on": incident.report_due_on.isoformat(),
                "late": late,
            },
        )
    return incident


def incident_suspend(*, incident: Incident, actor: User, reason: str) -> Incident:
    """Suspend the use case because of this incident (or link the suspension already standing)."""
    if (refusal := incident_link_refusal(actor, incident.use_case)) is not None:
        refusal.raise_it(on=incident.use_case)
    with transaction.atomic():
        incident, use_case = _lock(incident)
        if not incident.is_open:
            raise ValidationError("The incident is closed.")
        suspension = suspension_active(use_case)
        if suspension is None:
            if not reason.strip():
                raise ValidationError({"reason": "Say why the use case is suspended."})
            suspension = use_case_suspend(
                use_case=use_case, actor=actor, reason=reason, cause=f"incident {incident.pk}: {incident.title}"[:200]
            )
        incident.suspension = suspension
        incident.save(update_fields=["suspension"])
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_UPDATED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={"suspension": suspension.pk},
        )
    return incident


def incident_link_demotion(*, incident: Incident, actor: User) -> Incident:
    """Link the use case's latest demotion since the incident was detected: the rollback it led to."""
    if (refusal := incident_link_refusal(actor, incident.use_case)) is not None:
        refusal.raise_it(on=incident.use_case)
    with transaction.atomic():
        incident, use_case = _lock(incident)
        demotion = (
            StageChange.objects.filter(
                use_case=use_case, kind=StageChange.Kind.DEMOTION, created_at__gte=incident.detected_at
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if demotion is None:
            raise ValidationError("The use case has not been demoted since the incident was detected: demote it first.")
        incident.demotion = demotion
        incident.save(update_fields=["demotion"])
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_UPDATED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={"demotion": demotion.pk, "to_stage": demotion.to_stage},
        )
    return incident


def incident_close(*, incident: Incident, actor: User, root_cause: str, corrective_actions: str) -> Incident:
    """Close with root cause and corrective actions; a blocking incident stops blocking the gate."""
    if (refusal := incident_close_refusal(actor, incident.use_case)) is not None:
        refusal.raise_it(on=incident.use_case)
    errors = {}
    if not root_cause.strip():
        errors["root_cause"] = "Say what caused the incident."
    if not corrective_actions.strip():
        errors["corrective_actions"] = "Say what was done so it does not happen again."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident, use_case = _lock(incident)
        if not incident.is_open:
            raise ValidationError("The incident is already closed.")
        if incident.report_pending:
            raise ValidationError("Mark the incident reported to the authority (Art. 73) before closing it.")
        incident.state = Incident.State.CLOSED
        incident.root_cause, incident.corrective_actions = root_cause.strip(), corrective_actions.strip()
        incident.closed_by, incident.closed_at = actor, timezone.now()
        incident.save(update_fields=["state", "root_cause", "corrective_actions", "closed_by", "closed_at"])
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_CLOSED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={"root_cause": incident.root_cause, "corrective_actions": incident.corrective_actions},
        )
        notify(
            users=[u for u in _owners(use_case) if u.pk != actor.pk],
            kind=Kind.INCIDENT,
            title=f"Incident closed on {use_case.title}: {incident.title}",
            body=f"Root cause: {incident.root_cause}",
            url=incident.get_absolute_url(),
        )
    return incident


def incident_blocking_set(*, incident: Incident, actor: User, blocking: bool) -> Incident:
    """A lead of the second line decides whether the open incident stops the use case from running."""
    if (refusal := incident_link_refusal(actor, incident.use_case)) is not None:
        refusal.raise_it(on=incident.use_case)
    with transaction.atomic():
        incident, use_case = _lock(incident)
        if not incident.is_open:
            raise ValidationError("The incident is closed; it blocks nothing.")
        if incident.blocking == blocking:
            return incident
        incident.blocking = blocking
        incident.save(update_fields=["blocking"])
        audit_record(
            actor=actor,
            verb=Verb.INCIDENT_UPDATED,
            obj=incident,
            use_case_id=use_case.pk,
            changes={"blocking": blocking},
        )
        notify(
            users=[u for u in _owners(use_case) if u.pk != actor.pk],
            kind=Kind.INCIDENT,
            title=(
                f"{use_case.title} may not run while the incident “{incident.title}” is open"
                if blocking
                else f"The incident “{incident.title}” no longer stops {use_case.title} from running"
            ),
            url=incident.get_absolute_url(),
        )
    return incident
