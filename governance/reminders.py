"""What the reminder sweep reminds of for running governance (registered in registrations.py).

Open findings are reminded to their owner before and on their due date, then daily; past the escalation
threshold the risk function's leads hear of them, as for the periodic revalidation (model risk's duty).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from governance.models import Finding, RequirementException
from governance.services.exceptions import requirement_words
from notifications.services import Kind as NotificationKind
from notifications.services import Message
from signoff.calendar import business_days_between
from signoff.models import Reminder
from signoff.reminders.items import ReminderItemKind
from signoff.reminders.messages import _People, _plural, _when
from signoff.reminders.schedule import RKind
from signoff.reminders.sweep import reminder_today


def _open_findings() -> QuerySet[Finding]:
    return Finding.objects.filter(state=Finding.State.OPEN)


def _finding_message(reminder: Reminder, finding: Finding, people: _People, today: date) -> Message:
    subject = f"{finding.get_severity_display()} finding on “{finding.use_case.title}”: {finding.title}"
    url = finding.get_absolute_url()
    if reminder.kind == RKind.ESCALATION:
        days = business_days_between(reminder.due_date, today)
        return Message(
            users=people.revalidation_leads,
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: remediation of a {subject} is {_plural(days, 'business day')} overdue",
            body=f"Owner: {finding.owner}. Due {reminder.due_date:%a %d %b %Y}.",
            url=url,
        )
    return Message(
        users=[finding.owner],
        kind=NotificationKind.REMINDER,
        title=f"{'Overdue' if reminder.kind == RKind.OVERDUE else 'Reminder'}: {subject} is {_when(reminder)}",
        body="Record the remediation and its evidence on the finding; the second line then validates it.",
        url=url,
    )


def _by_pk(queryset: QuerySet, ids: list[int]) -> dict[int, Any]:
    return {obj.pk: obj for obj in queryset.filter(pk__in=ids)} if ids else {}


FINDING_REMINDERS = ReminderItemKind(
    name=Reminder.Item.FINDING,
    candidates=lambda horizon: _open_findings().filter(due_date__lte=horizon).values_list("pk", "due_date"),
    load=lambda ids: _by_pk(_open_findings().select_related("use_case", "owner"), ids),
    due=lambda finding: finding.due_date,
    message=_finding_message,
    function_id=lambda finding: None,
)


def _standing_exceptions() -> QuerySet[RequirementException]:
    # From today on only: an exception is reminded before it lapses, never after (it is simply over).
    return RequirementException.objects.filter(withdrawn_at__isnull=True, expires_on__gte=reminder_today())


def _exception_message(reminder: Reminder, exception: RequirementException, people: _People, today: date) -> Message:
    use_case = exception.use_case
    what = requirement_words(exception.requirement_key)
    ends = "today" if reminder.kind == RKind.ON_DUE else f"on {exception.expires_on:%a %d %b %Y}"
    return Message(
        users=[u for u in (use_case.technical_owner, use_case.business_owner) if u is not None],
        kind=NotificationKind.REMINDER,
        title=f"Exception ends {ends}: “{use_case.title}” needs {what} again",
        body=(
            f"The exception granted by {exception.granted_by} lapses after {exception.expires_on:%d %b %Y}; "
            "from the next day the gates require this again. Supply it, or ask the second line to renew the exception."
        ),
        url=use_case.get_absolute_url(),
    )


EXCEPTION_REMINDERS = ReminderItemKind(
    name=Reminder.Item.EXCEPTION,
    candidates=lambda horizon: _standing_exceptions().filter(expires_on__lte=horizon).values_list("pk", "expires_on"),
    load=lambda ids: _by_pk(
        _standing_exceptions().select_related("use_case__technical_owner", "use_case__business_owner", "granted_by"),
        ids,
    ),
    due=lambda exception: exception.expires_on,
    message=_exception_message,
    function_id=lambda exception: None,
)
