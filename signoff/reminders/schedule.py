"""Which reminders are due today: milestones around each due date, inserted once each."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import connection, models
from django.db.models import F, OuterRef, Subquery

from lifecycle.models import Stage, UseCase
from signoff.calendar import add_business_days, business_days_between
from signoff.models import (
    IN_REVIEW_STATES,
    OPEN_REVIEW_STATES,
    Reminder,
    Review,
    ReviewCondition,
)

logger = logging.getLogger(__name__)

Item = Reminder.Item
RKind = Reminder.Kind

# Revalidation of models is model risk management's duty (SR 11-7), so its
# escalations go to the risk function's leads.
REVALIDATION_FUNCTION_KEY = "risk"
REVALIDATION_STAGES = [Stage.GUARDED, Stage.SCALE]

INSERT_BATCH_SIZE = 2000


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
    milestones: list[tuple[str, int]] = [(RKind.OVERDUE, overdue)]
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
    # Every use case in production with a review date: its frequency follows its materiality (signoff/periodic.py).
    return UseCase.objects.filter(stage__in=REVALIDATION_STAGES, revalidation_due__isnull=False)


def _candidates(horizon: date) -> Iterable[tuple[str, int, date]]:
    """(item type, id, due date) of every open item due on or before the horizon: one query per kind."""
    # Imported here: the registry's module imports the message builders, which import this module.
    from signoff.reminders.items import REMINDER_ITEMS

    for name, kind in REMINDER_ITEMS.items():
        for item_id, due in kind.candidates(horizon):
            if due is not None:  # the due columns are nullable; the filters leave none, but say so
                yield name, item_id, due


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
