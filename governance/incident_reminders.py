"""The Art. 73 clock in the reminder sweep: the report to the authority is reminded and escalated like a review.

Registered as a kind of reminder item (signoff/reminders/items.py) from registrations.py. The item is an
incident whose clock runs and whose report is not yet made; its due date is the clock's last day. Reminders go
to the owners and whoever recorded it; escalations to the compliance function's leads, who answer to the
market surveillance authority.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet, Subquery

from accounts.models import ReviewFunction
from governance.models import Incident
from notifications.services import Kind as NotificationKind
from notifications.services import Message
from signoff.calendar import business_days_between
from signoff.models import Reminder
from signoff.reminders.items import ReminderItemKind
from signoff.reminders.schedule import RKind

ESCALATION_FUNCTION_KEY = "compliance"


def _pending() -> QuerySet[Incident]:
    return Incident.objects.filter(report_due_on__isnull=False, reported_at__isnull=True)


def _candidates(horizon: date) -> QuerySet:
    return _pending().filter(report_due_on__lte=horizon).values_list("pk", "report_due_on")


def _load(ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    escalate_to = Subquery(ReviewFunction.objects.filter(key=ESCALATION_FUNCTION_KEY).values("id")[:1])
    qs = (
        _pending()
        .filter(pk__in=ids)
        .select_related("use_case__technical_owner", "use_case__business_owner", "recorded_by")
        .annotate(escalate_to=escalate_to)
    )
    return {incident.pk: incident for incident in qs}


def _function(incident: Incident) -> int | None:
    """The escalation function's id, annotated when the incident was loaded."""
    return getattr(incident, "escalate_to", None)


def _when(reminder: Reminder, today: date) -> str:
    if reminder.kind == RKind.BEFORE_DUE:
        return f"due {reminder.due_date:%a %d %b %Y}"
    if reminder.kind == RKind.ON_DUE:
        return "due today"
    days = (today - reminder.due_date).days
    return f"{days} day{'s' if days != 1 else ''} overdue"


def _message(reminder: Reminder, incident: Incident, people: Any, today: date) -> Message:
    use_case = incident.use_case
    subject = f"Art. 73 report of the incident “{incident.title}” on “{use_case.title}”"
    url = incident.get_absolute_url()
    if reminder.kind == RKind.ESCALATION:
        business_days = business_days_between(reminder.due_date, today)
        return Message(
            users=people.of(function_id, leads_only=True, exclude=set())
            if (function_id := _function(incident))
            else [],
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: {subject} is {_when(reminder, today)}",
            body=(
                f"{incident.get_clock_display()}; the authority had to be told by {reminder.due_date:%a %d %b %Y} "
                f"({business_days} business days ago). Make the report, then mark it reported."
            ),
            url=url,
        )
    told = [use_case.technical_owner, use_case.business_owner, incident.recorded_by]
    users = list({u.pk: u for u in told if u is not None and u.is_active}.values())
    overdue = reminder.kind == RKind.OVERDUE
    return Message(
        users=users,
        kind=NotificationKind.REMINDER,
        title=f"{'Overdue' if overdue else 'Reminder'}: {subject} is {_when(reminder, today)}",
        body=f"{incident.get_clock_display()}. Report it to the market surveillance authority, then mark it reported.",
        url=url,
    )


INCIDENT_REPORTS = ReminderItemKind(
    name=Reminder.Item.INCIDENT,
    candidates=_candidates,
    load=_load,
    due=lambda incident: incident.report_due_on,
    message=_message,
    function_id=_function,
)
