"""The sweep: insert what is due, claim it in batches, send, mark; safe twice, concurrently or after a crash."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from audit.services import Verb, audit_record
from core.tasks import enqueue
from notifications.services import (
    Message,
    notifications_batched_recipients,
    notifications_email_send,
    notify_many,
)
from notifications.tasks import send_batched_emails
from signoff.models import (
    Reminder,
)
from signoff.reminders.items import REMINDER_ITEMS, ReminderItemKind, reminder_item_register
from signoff.reminders.messages import (
    _condition_message,
    _load_people,
    _revalidation_message,
    _review_message,
)
from signoff.reminders.schedule import (
    Item,
    RKind,
    _claim,
    _forget_previous_revalidation_cycles,
    _insert_due,
    _Milestones,
    _open_conditions,
    _open_reviews,
    _revalidations,
)

logger = logging.getLogger(__name__)

# An e-mail task takes people until it has this many, or this many of their items to list: each
# person gets one e-mail listing everything of theirs; the tasks run in parallel in the workers.
EMAIL_PEOPLE_PER_TASK = 25
EMAIL_ITEMS_PER_TASK = 1000


# What a review's reminder is worded from (messages._review_message): the rest of the rows stays unread.
_REVIEW_WORDS = (
    "id",
    "state",
    "due_date",
    "function__name",
    "request__use_case__title",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__is_active",
    "submitter_id",
    "technical_owner_id",
    "business_owner_id",
)


def _snapshots_of(request: str) -> tuple[str, ...]:
    """A request's snapshots (kilobytes of JSON each), which no reminder's words need: left unread."""
    return (f"{request}__evidence_snapshot", f"{request}__policy_snapshot")


@dataclass
class SweepResult:
    today: date
    due: int = 0  # reminder keys due today (phase 1 proposes them; existing ones are ignored)
    sent: int = 0  # reminders sent, escalations included
    escalations: int = 0
    dropped: int = 0  # claimed rows no longer right: item closed or a newer reminder replaced them
    notifications: int = 0
    people: int = 0  # people with reminders waiting for their one e-mail, handed to the workers
    email_tasks: int = 0
    emailed: int = 0  # other notifications mailed one by one in the catch-up
    batches: int = 0
    shares: int = 0  # worker tasks the sending was handed to (0: sent in this process)
    by_kind: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.shares:
            return f"Sweep for {self.today:%Y-%m-%d}: {self.due} due, sending handed to {self.shares} workers."
        return (
            f"Sweep for {self.today:%Y-%m-%d}: {self.due} due, {self.sent} sent "
            f"({self.escalations} escalations), {self.dropped} dropped, "
            f"{self.notifications} notifications, one e-mail each to {_count(self.people, 'person', 'people')} "
            f"in {_count(self.email_tasks, 'task', 'tasks')}, {self.emailed} other e-mails, {self.batches} batches."
        )


for _kind in (
    ReminderItemKind(
        name=Item.REVIEW,
        candidates=lambda horizon: _open_reviews().filter(due_date__lte=horizon).values_list("pk", "due_date"),
        load=lambda ids: _by_pk(
            _open_reviews().select_related("request__use_case", "function", "assignee").only(*_REVIEW_WORDS),
            ids,
        ),
        due=lambda review: review.due_date,
        message=_review_message,
        function_id=lambda review: review.function_id,
    ),
    ReminderItemKind(
        name=Item.CONDITION,
        candidates=lambda horizon: _open_conditions().filter(due_date__lte=horizon).values_list("pk", "due_date"),
        load=lambda ids: _by_pk(
            _open_conditions()
            .select_related("owner", "review__function", "review__request__use_case")
            .defer(*_snapshots_of("review__request")),
            ids,
        ),
        due=lambda condition: condition.due_date,
        message=_condition_message,
        function_id=lambda condition: condition.review.function_id,
    ),
    ReminderItemKind(
        name=Item.REVALIDATION,
        candidates=lambda horizon: (
            _revalidations().filter(revalidation_due__lte=horizon).values_list("pk", "revalidation_due")
        ),
        load=lambda ids: _by_pk(_revalidations().select_related("technical_owner", "business_owner"), ids),
        due=lambda use_case: use_case.revalidation_due,
        message=_revalidation_message,
        function_id=lambda use_case: None,
    ),
):
    reminder_item_register(_kind)


def _email_chunks(people: list[tuple[int, int]]) -> list[list[int]]:
    """People (user id, items waiting) split into the e-mail tasks' shares, a person never split."""
    chunks: list[list[int]] = []
    items = 0
    for user_id, waiting in people:
        if not chunks or len(chunks[-1]) >= EMAIL_PEOPLE_PER_TASK or items + waiting > EMAIL_ITEMS_PER_TASK:
            chunks.append([])
            items = 0
        chunks[-1].append(user_id)
        items += waiting
    return chunks


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _by_pk(qs: models.QuerySet, ids: list[int]) -> dict[int, Any]:
    return {obj.pk: obj for obj in qs.filter(pk__in=ids)} if ids else {}


def _send_batch(rows: list[Reminder], today: date, result: SweepResult, milestones: _Milestones) -> None:
    """Phase 2 for one claimed batch, inside its transaction: in-app notifications, mailed later per person."""
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids_by_type[row.item_type].append(row.item_id)
    items = {item_type: kind.load(ids_by_type[item_type]) for item_type, kind in REMINDER_ITEMS.items()}
    function_ids = {
        function_id
        for item_type, kind in REMINDER_ITEMS.items()
        for item in items[item_type].values()
        if (function_id := kind.function_id(item)) is not None
    }
    people = _load_people(function_ids)

    messages: list[Message] = []
    sent: list[Reminder] = []
    dropped: list[int] = []
    for row in rows:
        kind = REMINDER_ITEMS[row.item_type]
        item = items[row.item_type].get(row.item_id)
        due = kind.due(item) if item is not None else None
        # Send only what is still right today: the item is open, its due date
        # unchanged, and this is today's reminder (not yesterday's, left over).
        if item is None or due is None or due != row.due_date or (row.kind, row.sequence) not in milestones.of(due):
            dropped.append(row.pk)
            continue
        message = kind.message(row, item, people, today)
        if not message.users:
            logger.warning("Nobody to send %s to: %s %s has no eligible recipient.", row, row.item_type, row.item_id)
        messages.append(message)
        sent.append(row)

    notifications = notify_many(messages=messages, email_after_commit=False, batched=True)
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


def reminder_today() -> date:
    """The day whose reminders are due now: a new day starts at REMINDER_DAY_STARTS_AT_HOUR local time."""
    return timezone.localtime(timezone.now() - timedelta(hours=settings.REMINDER_DAY_STARTS_AT_HOUR)).date()


def reviews_sweep_due(*, today: date | None = None, batch_size: int = 500, shares: int = 1) -> SweepResult:
    """One sweep: insert the reminders due today, send every unsent one in batches, mail what waits.

    With `shares` above one, the sending is handed to that many worker tasks that claim batches side by
    side, and whichever finishes last mails everyone (`reminders_send_share`); the result then counts only
    what is due. Safe to run at any time, twice, or concurrently. A failing mail server stops the sweep
    after committing what it did; the next sweep goes on.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    if shares < 1:
        raise ValueError("shares must be at least 1.")
    today = today or reminder_today()
    result = SweepResult(today=today)
    milestones = _Milestones(today)

    with transaction.atomic():
        _forget_previous_revalidation_cycles()
        result.due = _insert_due(today, milestones)

    if shares > 1:
        from signoff.tasks import send_reminder_share

        for _ in range(shares):
            enqueue(send_reminder_share, today.isoformat(), batch_size)
        result.shares = shares
        logger.info("%s", result)
        return result
    _send_claimed(today, batch_size, result, milestones)
    _mail_waiting(result)
    logger.info("%s", result)
    return result


def reminders_send_share(*, today: date, batch_size: int = 500) -> SweepResult:
    """One worker's share of a sweep: claim and send batches until none is left, then, if no other share
    still holds unsent rows, mail everyone what waits.

    The batches are claimed with SKIP LOCKED, so shares never send the same row; a share that sees rows still
    unsent leaves the mailing to the share holding them, so each person gets one e-mail for the sweep.
    """
    result = SweepResult(today=today)
    _send_claimed(today, batch_size, result, _Milestones(today))
    if not Reminder.objects.filter(sent_at__isnull=True).exists():
        _mail_waiting(result)
    logger.info("%s", result)
    return result


def _send_claimed(today: date, batch_size: int, result: SweepResult, milestones: _Milestones) -> None:
    while True:
        with transaction.atomic():
            rows = _claim(batch_size)
            if not rows:
                return
            _send_batch(rows, today, result, milestones)
        result.batches += 1


def _mail_waiting(result: SweepResult) -> None:
    # Mailed after the commits, one e-mail per person listing all that is theirs (and whatever an
    # earlier sweep that died left unmailed), rendered and sent by the workers in parallel chunks.
    people = notifications_batched_recipients()
    result.people = len(people)
    for chunk in _email_chunks(people):
        enqueue(send_batched_emails, chunk)
        result.email_tasks += 1
    # Other notifications whose e-mail a broker or mail-server outage held back.
    result.emailed += notifications_email_send()
