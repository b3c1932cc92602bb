"""Who hears of a due item, and in what words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import models
from django.urls import reverse

from accounts.models import FunctionMembership, User
from lifecycle.models import UseCase
from notifications.services import Kind as NotificationKind
from notifications.services import Message
from signoff.calendar import business_days_between
from signoff.models import (
    Reminder,
    Review,
    ReviewCondition,
    ReviewState,
)
from signoff.reminders.schedule import REVALIDATION_FUNCTION_KEY, RKind

_SLOT = 2147483647  # an id no row has: marks where the id goes in a page's path


@cache
def _path_template(view: str) -> str:
    return reverse(view, args=[_SLOT])


def _path(view: str, pk: int) -> str:
    """The path of a detail page, as reverse() gives it, from a template resolved once: a sweep words
    thousands of messages, and resolving each one's link was a fifth of the time it took."""
    return _path_template(view).replace(str(_SLOT), str(pk))


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
    url = _path("signoff:review-detail", review.pk)
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
    if review.state == ReviewState.ASSIGNED and review.assignee is not None:
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
    url = _path("signoff:request-detail", review.request_id)
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
    subject = f"Periodic review of “{use_case.title}”"
    url = use_case.get_absolute_url()
    if reminder.kind == RKind.ESCALATION:
        days = business_days_between(reminder.due_date, today)
        return Message(
            users=people.revalidation_leads,
            kind=NotificationKind.ESCALATION,
            title=f"Escalation: {subject} is {_plural(days, 'business day')} overdue",
            body=(
                f"{use_case.get_risk_tier_display()} use case at {use_case.get_stage_display()}, "
                f"periodic review due {reminder.due_date:%a %d %b %Y}."
            ),
            url=url,
        )
    return Message(
        users=[u for u in (use_case.technical_owner, use_case.business_owner) if u is not None],
        kind=NotificationKind.REMINDER,
        title=f"{'Overdue' if reminder.kind == RKind.OVERDUE else 'Reminder'}: {subject} is {_when(reminder)}",
        body=(
            "Use cases in production are reviewed periodically: upload a refreshed evaluation, a monitoring summary "
            f"and the incidents since the last review, then ask for a review at stage {use_case.stage}."
        ),
        url=url,
    )
