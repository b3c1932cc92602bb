"""Conditions of approval at the gates: an open blocking condition overdue past its grace stops the version running.

The run gate reads the earliest due date of the use case's open blocking conditions and the policy's grace
as annotations on the use case it loads, so the pipeline's question costs no extra query.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from lifecycle.models import UseCase
from signoff.gates.result import Requirement
from signoff.gates.run import run_annotation, run_check
from signoff.models import ReviewCondition, RunningPolicy

_NOT_LOADED = object()
DEFAULT_GRACE_DAYS = RunningPolicy._meta.get_field("condition_grace_days").get_default()


def open_blocking_conditions(use_case_id: Any) -> QuerySet[ReviewCondition]:
    # Only an open condition blocks: one marked met waits on the function, not on its owner, and a return
    # opens it again.
    return ReviewCondition.objects.filter(
        use_case=use_case_id, blocking=True, status=ReviewCondition.Status.OPEN
    ).order_by("due_date", "id")


def _blocking_due() -> Subquery:
    return Subquery(open_blocking_conditions(OuterRef("pk")).values("due_date")[:1])


def _grace_days() -> Coalesce:
    policy = RunningPolicy.objects.filter(pk=1).values("condition_grace_days")[:1]
    return Coalesce(Subquery(policy), Value(DEFAULT_GRACE_DAYS))


run_annotation("blocking_condition_due", _blocking_due)
run_annotation("condition_grace_days", _grace_days)


@run_check
def blocking_conditions_check(use_case: UseCase, stage: int, today: date) -> Requirement | None:
    """None while no blocking condition is overdue; met within the grace; unmet once it has passed."""
    due = getattr(use_case, "blocking_condition_due", _NOT_LOADED)
    grace = getattr(use_case, "condition_grace_days", None)
    if due is _NOT_LOADED:  # loaded elsewhere than the gate: ask
        first = open_blocking_conditions(use_case.pk).first()
        due = first.due_date if first is not None else None
    if grace is None:
        grace = RunningPolicy.current().condition_grace_days
    if not isinstance(due, date) or due >= today:
        return None
    denies_from = due + timedelta(days=int(grace) + 1)
    key = "conditions.blocking"
    if today < denies_from:
        return Requirement(
            key,
            True,
            f"A blocking condition was due {due:%Y-%m-%d}; the gate denies from {denies_from:%Y-%m-%d} if it is "
            "still open.",
        )
    return Requirement(
        key,
        False,
        f"A blocking condition of approval was due {due:%Y-%m-%d} and is still open, past its {grace}-day grace.",
    )
