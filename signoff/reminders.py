"""The reminder sweep: reminders before, on and after due dates, and escalation to the function's leads.

One code path for the beat task (`send_due_reminders`) and `manage.py send_reminders`.

Three kinds of item have a due date in business days: open reviews of requests
in review, open conditions attached to approvals, and the yearly revalidation
of high-risk use cases in stages 3 and 4. For each, relative to today (which
starts at REMINDER_DAY_STARTS_AT_HOUR, so nothing is sent at midnight):

- `REMINDER_DAYS_BEFORE_DUE` business days before the due date: one reminder (before_due, 0);
- on the due date: one (on_due, 0);
- each business day overdue: one (overdue, n), n the business days overdue — so none on a
  weekend or holiday, and after an outage only today's, not the ones missed;
- from `ESCALATE_AFTER_DAYS_OVERDUE` business days overdue: one escalation to the function's
  leads (escalation, 0), once per item: the daily overdue reminders keep going to whoever must
  act, and leads are told once rather than every day.

Sending is idempotent. Phase 1 inserts the rows due today with
bulk_create(ignore_conflicts=True): the unique key (item, kind, sequence) makes
a second sweep insert nothing. Phase 2 claims unsent rows in batches with
SELECT ... FOR UPDATE SKIP LOCKED, writes the in-app notifications, marks the
rows sent and commits, then mails that batch; two overlapping sweeps each take
different rows, and a sweep that dies is continued by the next one. Rows that
stopped being right before they were sent (the review was decided, today's
reminder superseded yesterday's) are dropped, never sent late. Finally the
sweep mails every notification still waiting, which is how e-mails lost to a
broker outage get out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.models import FunctionMembership, User
from audit.services import Verb, audit_record
from lifecycle.models import Stage, Tier, UseCase
from notifications.services import Kind as NotificationKind
from notifications.services import Message, notifications_email_send, notify_many
from signoff.calendar import add_business_days, business_days_between
from signoff.models import (
    IN_REVIEW_STATES,
    OPEN_REVIEW_STATES,
    Reminder,
    Review,
    ReviewCondition,
    ReviewState,
)

logger = logging.getLogger(__name__)

Item = Reminder.Item
RKind = Reminder.Kind

# Revalidation of models is model risk management's duty (SR 11-7), so its
# escalations go to the risk function's leads.
REVALIDATION_FUNCTION_KEY = "risk"
REVALIDATION_STAGES = [Stage.GUARDED, Stage.SCALE]

INSERT_BATCH_SIZE = 2000


@dataclass
class SweepResult:
    today: date
    due: int = 0  # reminder keys due today (phase 1 proposes them; existing ones are ignored)
    sent: int = 0  # reminders sent, escalations included
    escalations: int = 0
    dropped: int = 0  # claimed rows no longer right: item closed or a newer reminder replaced them
    notifications: int = 0
    emailed: int = 0
    batches: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"Sweep for {self.today:%Y-%m-%d}: {self.due} due, {self.sent} sent "
            f"({self.escalations} escalations), {self.dropped} dropped, "
            f"{self.notifications} notifications, {self.emailed} e-mails, {self.batches} batches."
        )


def reminder_milestones(*, due: date, today: date) -> list[tuple[str, int]]:
    """The (kind, sequence) reminders an item due on `due` should have had sent by `today`."""
    if due > today:
        days_before = settings.REMINDER_DAYS_BEFORE_DUE
        if days_before > 0 and due <= add_business_days(today, days_before):
            return [(RKind.BEFORE_DUE, 0)]
        return []
    overdue = business_days_between(due, today)
    if overdue == 0:
        return [(RKind.ON_DUE, 0)]
    milestones = [(RKind.OVERDUE, overdue)]
    if overdue >= settings.ESCALATE_AFTER_DAYS_OVERDUE:
        milestones.append((RKind.ESCALATION, 0))
    return milestones


class _Milestones:
    """reminder_milestones for one day, computed once per distinct due date (no query, but a calendar walk)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._by_due: dict[date, list[tuple[str, int]]] = {}

    def of(self, due: date) -> list[tuple[str, int]]:
        if due not in self._by_due:
            self._by_due[due] = reminder_milestones(due=due, today=self.today)
        return self._by_due[due]


def _open_reviews() -> models.QuerySet[Review]:
    return Review.objects.filter(state__in=OPEN_REVIEW_STATES, request__state__in=IN_REVIEW_STATES)


def _open_conditions() -> models.QuerySet[ReviewCondition]:
    return ReviewCondition.objects.filter(status=ReviewCondition.Status.OPEN)


def _revalidations() -> models.QuerySet[UseCase]:
    return UseCase.objects.filter(risk_tier=Tier.HIGH, stage__in=REVALIDATION_STAGES, revalidation_due__isnull=False)


def _candidates(horizon: date) -> Iterable[tuple[str, int, date]]:
    """(item type, id, due date) of every open item due on or before the horizon: one query per type."""
    for item_id, due in _open_reviews().filter(due_date__lte=horizon).values_list("pk", "due_date").iterator():
        yield Item.REVIEW, item_id, due
    for item_id, due in _open_conditions().filter(due_date__lte=horizon).values_list("pk", "due_date").iterator():
        yield Item.CONDITION, item_id, due
    revalidations = _revalidations().filter(revalidation_due__lte=horizon).values_list("pk", "revalidation_due")
    for item_id, due in revalidations.iterator():
        yield Item.REVALIDATION, item_id, due


def _forget_previous_revalidation_cycles() -> None:
    """Revalidation recurs yearly under the same key; last year's rows would block this year's reminders.

    The audit events of the reminders sent remain; only the idempotency rows go.
    """
    current_due = Subquery(UseCase.objects.filter(pk=OuterRef("item_id")).values("revalidation_due")[:1])
    stale = (
        Reminder.objects.filter(item_type=Item.REVALIDATION)
        .annotate(current_due=current_due)
        .filter(due_date__lt=F("current_due"))
    )
    Reminder.objects.filter(pk__in=stale.values("pk")).delete()


def _insert_due(today: date, milestones: _Milestones) -> int:
    """Phase 1: insert a Reminder row for every reminder due today; existing rows are left alone."""
    horizon = add_business_days(today, max(settings.REMINDER_DAYS_BEFORE_DUE, 0))
    rows: list[Reminder] = []
    due_count = 0
    for item_type, item_id, due in _candidates(horizon):
        for kind, sequence in milestones.of(due):
            rows.append(Reminder(item_type=item_type, item_id=item_id, kind=kind, sequence=sequence, due_date=due))
            due_count += 1
        if len(rows) >= INSERT_BATCH_SIZE:
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    if rows:
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return due_count


def _claim(batch_size: int) -> list[Reminder]:
    qs = Reminder.objects.filter(sent_at__isnull=True).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        # Another sweep's claimed rows are skipped, not waited for: each sends its own.
        qs = qs.select_for_update(skip_locked=True)
    else:
        # SQLite: BEGIN IMMEDIATE already serialises writers.
        qs = qs.select_for_update()
    return list(qs[:batch_size])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _when(reminder: Reminder) -> str:
    if reminder.kind == RKind.BEFORE_DUE:
        return f"due {reminder.due_date:%a %d %b %Y}"
    if reminder.kind == RKind.ON_DUE:
        return "due today"
    return f"{_plural(reminder.sequence, 'business day')} overdue"


@dataclass
class _People:
    """Function members by function id, loaded once per batch."""

    members: dict[int, list[FunctionMembership]]
    revalidation_leads: list[User]

    def of(self, function_id: int, *, leads_only: bool, exclude: set[int]) -> list[User]:
        return [
            m.user
            for m in self.members.get(function_id, [])
            if (m.is_lead or not leads_only) and m.user_id not in exclude
        ]


def _load_people(function_ids: set[int]) -> _People:
    members: dict[int, list[FunctionMembership]] = defaultdict(list)
    revalidation_leads: list[User] = []
    qs = FunctionMembership.objects.filter(
        models.Q(function_id__in=function_ids) | models.Q(function__key=REVALIDATION_FUNCTION_KEY, is_lead=True),
        user__is_active=True,
    ).select_related("user", "function")
    for membership in qs:
        members[membership.function_id].append(membership)
        if membership.function.key == REVALIDATION_FUNCTION_KEY and membership.is_lead:
            revalidation_leads.append(membership.user)
    return _People(members, revalidation_leads)


def _review_message(reminder: Reminder, review: Review, people: _People, today: date) -> Message:
    subject = f"{review.function.name} review of “{review.request.use_case.title}”"
    url = review.get_absolute_url()
    overdue = reminder.sequence if reminder.kind == RKind.OVERDUE else 0
    if reminder.kind == RKind.ESCALATION:
        days = business_days_between(reminder.due_date, today)
        holder = f"assigned to {review.assignee}" if review.assignee_id else "still unassigned"
        return Message(
            users=people.of(review.function_id, leads_only=True, exclude=review.conflicted_user_ids),
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: {subject} is {_plural(days, 'business day')} overdue",
            body=f"Due {reminder.due_date:%a %d %b %Y}, {holder}. As a lead you may reassign it.",
            url=url,
        )
    if review.state == ReviewState.ASSIGNED and review.assignee_id:
        users = [review.assignee]
        body = f"Your review is {_when(reminder)}."
    else:
        # Nobody holds it yet: everyone in the function who may take it is told.
        users = people.of(review.function_id, leads_only=False, exclude=review.conflicted_user_ids)
        body = (
            f"This review is in the {review.function.name} queue, unassigned, and {_when(reminder)}. "
            "Take it or assign it."
        )
    title = f"{'Overdue' if overdue else 'Reminder'}: {subject} is {_when(reminder)}"
    return Message(users=users, kind=NotificationKind.REMINDER, title=title, body=body, url=url)


def _condition_message(reminder: Reminder, condition: ReviewCondition, people: _People, today: date) -> Message:
    review = condition.review
    subject = f"Condition on “{review.request.use_case.title}” ({review.function.name})"
    url = review.request.get_absolute_url()
    if reminder.kind == RKind.ESCALATION:
        days = business_days_between(reminder.due_date, today)
        return Message(
            users=people.of(review.function_id, leads_only=True, exclude=set()),
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: {subject} is {_plural(days, 'business day')} overdue",
            body=f"{condition.text}\n\nOwner: {condition.owner}. Due {reminder.due_date:%a %d %b %Y}.",
            url=url,
        )
    return Message(
        users=[condition.owner],
        kind=NotificationKind.REMINDER,
        title=f"{'Overdue' if reminder.kind == RKind.OVERDUE else 'Reminder'}: {subject} is {_when(reminder)}",
        body=f"{condition.text}\n\nMark it met on the request when it is done.",
        url=url,
    )


def _revalidation_message(reminder: Reminder, use_case: UseCase, people: _People, today: date) -> Message:
    subject = f"Yearly revalidation of “{use_case.title}”"
    url = use_case.get_absolute_url()
    if reminder.kind == RKind.ESCALATION:
        days = business_days_between(reminder.due_date, today)
        return Message(
            users=people.revalidation_leads,
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: {subject} is {_plural(days, 'business day')} overdue",
            body=(
                f"High-risk use case at {use_case.get_stage_display()}, "
                f"revalidation due {reminder.due_date:%a %d %b %Y}."
            ),
            url=url,
        )
    return Message(
        users=[u for u in (use_case.technical_owner, use_case.business_owner) if u is not None],
        kind=NotificationKind.REMINDER,
        title=f"{'Overdue' if reminder.kind == RKind.OVERDUE else 'Reminder'}: {subject} is {_when(reminder)}",
        body="High-risk use cases in production are revalidated every year: refresh the evaluation and ask for review.",
        url=url,
    )


def _send_batch(rows: list[Reminder], today: date, result: SweepResult, milestones: _Milestones) -> list[int]:
    """Phase 2 for one claimed batch, inside its transaction. Returns the ids of the notifications made."""
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_type[row.item_type].append(row.item_id)

    reviews = (
        {
            r.pk: r
            for r in _open_reviews()
            .filter(pk__in=ids_by_type[Item.REVIEW])
            .select_related("request__use_case", "function", "assignee")
        }
        if ids_by_type[Item.REVIEW]
        else {}
    )
    conditions = (
        {
            c.pk: c
            for c in _open_conditions()
            .filter(pk__in=ids_by_type[Item.CONDITION])
            .select_related("owner", "review__function", "review__request__use_case")
        }
        if ids_by_type[Item.CONDITION]
        else {}
    )
    use_cases = (
        {
            u.pk: u
            for u in _revalidations()
            .filter(pk__in=ids_by_type[Item.REVALIDATION])
            .select_related("technical_owner", "business_owner")
        }
        if ids_by_type[Item.REVALIDATION]
        else {}
    )
    function_ids = {r.function_id for r in reviews.values()} | {c.review.function_id for c in conditions.values()}
    people = _load_people(function_ids)

    messages: list[Message] = []
    sent: list[Reminder] = []
    dropped: list[int] = []
    for row in rows:
        if row.item_type == Item.REVIEW:
            item = reviews.get(row.item_id)
            due = item.due_date if item else None
        elif row.item_type == Item.CONDITION:
            item = conditions.get(row.item_id)
            due = item.due_date if item else None
        else:
            item = use_cases.get(row.item_id)
            due = item.revalidation_due if item else None
        # Send only what is still right today: the item is open, its due date
        # unchanged, and this is today's reminder (not yesterday's, left over).
        if item is None or due != row.due_date or (row.kind, row.sequence) not in milestones.of(due):
            dropped.append(row.pk)
            continue
        if row.item_type == Item.REVIEW:
            message = _review_message(row, item, people, today)
        elif row.item_type == Item.CONDITION:
            message = _condition_message(row, item, people, today)
        else:
            message = _revalidation_message(row, item, people, today)
        if not message.users:
            logger.warning("Nobody to send %s to: %s %s has no eligible recipient.", row, row.item_type, row.item_id)
        messages.append(message)
        sent.append(row)

    notifications = notify_many(messages=messages, email_after_commit=False)
    now = timezone.now()
    if sent:
        Reminder.objects.filter(pk__in=[r.pk for r in sent]).update(sent_at=now)
    if dropped:
        Reminder.objects.filter(pk__in=dropped).delete()

    # One audit event per batch and kind of send, not per reminder: a reminder
    # changes no state and decides nothing, and its Reminder row already
    # records what was sent when. The event names every reminder it covers,
    # so the trail stays complete at a few events per sweep instead of
    # thousands chained one by one under the audit head's lock.
    reminders = [r for r in sent if r.kind != RKind.ESCALATION]
    escalations = [r for r in sent if r.kind == RKind.ESCALATION]
    for verb, group in ((Verb.REMINDER_SENT, reminders), (Verb.ESCALATION_SENT, escalations)):
        if group:
            audit_record(
                actor=None,
                actor_label="system",
                verb=verb,
                changes={
                    "today": today.isoformat(),
                    "count": len(group),
                    "reminders": [[r.pk, r.item_type, r.item_id, r.kind, r.sequence] for r in group],
                },
            )

    for row in sent:
        result.by_kind[row.kind] = result.by_kind.get(row.kind, 0) + 1
    result.sent += len(sent)
    result.escalations += len(escalations)
    result.dropped += len(dropped)
    result.notifications += len(notifications)
    return [n.pk for n in notifications]


def reminder_today() -> date:
    """The day whose reminders are due now: a new day starts at REMINDER_DAY_STARTS_AT_HOUR local time."""
    return timezone.localtime(timezone.now() - timedelta(hours=settings.REMINDER_DAY_STARTS_AT_HOUR)).date()


def reviews_sweep_due(*, today: date | None = None, batch_size: int = 500) -> SweepResult:
    """One sweep: insert the reminders due today, send every unsent one in batches, mail what waits.

    Safe to run at any time, twice, or concurrently. A failing mail server
    stops the sweep after committing what it did; the next sweep goes on.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    today = today or reminder_today()
    result = SweepResult(today=today)
    milestones = _Milestones(today)

    with transaction.atomic():
        _forget_previous_revalidation_cycles()
        result.due = _insert_due(today, milestones)

    while True:
        with transaction.atomic():
            rows = _claim(batch_size)
            if not rows:
                break
            notification_ids = _send_batch(rows, today, result, milestones)
        result.batches += 1
        if notification_ids:
            # Mailed after the commit: the in-app notifications and the sent
            # marks stand even if the mail server fails here.
            result.emailed += notifications_email_send(notification_ids=notification_ids)

    result.emailed += notifications_email_send()
    logger.info("%s", result)
    return result
