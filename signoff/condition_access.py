"""Who may mark a condition of approval met, judge it, or waive it; who sees conditions.

The same rules of refusal as signoff/access.py: each `*_refusal` returns None
when the user may act, or a Refusal saying why not (403 for the wrong person,
400 for the wrong moment), which pages, the API and the services share.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from signoff.access import AUDITORS_CHANGE_NOTHING, Refusal, can_read, is_lead, is_member, is_owner
from signoff.models import ReviewCondition


class ConditionAction:
    MARK_MET = "mark_met"
    ACCEPT = "accept"
    RETURN = "return"
    WAIVE = "waive"


def condition_mark_met_refusal(user: User, condition: ReviewCondition) -> Refusal | None:
    """The condition's owner, or an owner of the use case, says it is done."""
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if user.pk != condition.owner_id and not is_owner(user, condition.use_case):
        return Refusal("Only the condition's owner or the use case's owners may mark it met.")
    if condition.status != ReviewCondition.Status.OPEN:
        return Refusal(f"This condition is {condition.get_status_display().lower()}, not open.", forbidden=False)
    return None


def _condition_judge_refusal(user: User, condition: ReviewCondition, verb: str) -> Refusal | None:
    """The function that set the condition judges the evidence; never the person who gave it."""
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if not is_member(user, condition.review.function_id):
        return Refusal(f"Only members of {condition.review.function}, which set this condition, may {verb} it.")
    if user.pk in (condition.marked_met_by_id, condition.owner_id):
        return Refusal(f"You answer for this condition; another member of {condition.review.function} must {verb} it.")
    if condition.status != ReviewCondition.Status.MARKED_MET:
        status = condition.get_status_display().lower()
        return Refusal(f"Only a condition marked met can be {verb}ed; this one is {status}.", forbidden=False)
    return None


def condition_accept_refusal(user: User, condition: ReviewCondition) -> Refusal | None:
    return _condition_judge_refusal(user, condition, "accept")


def condition_return_refusal(user: User, condition: ReviewCondition) -> Refusal | None:
    return _condition_judge_refusal(user, condition, "return")


def condition_waive_refusal(user: User, condition: ReviewCondition) -> Refusal | None:
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if not is_lead(user, condition.review.function_id):
        return Refusal(f"Only a lead of {condition.review.function}, which set this condition, may waive it.")
    if user.pk in (condition.owner_id, *condition.use_case.owner_ids):
        return Refusal("You answer for this condition; another lead must waive it.")
    if condition.is_closed:
        return Refusal(f"This condition is already closed ({condition.get_status_display().lower()}).", forbidden=False)
    return None


def condition_actions(user: User, condition: ReviewCondition) -> list[str]:
    checks = [
        (ConditionAction.MARK_MET, condition_mark_met_refusal),
        (ConditionAction.ACCEPT, condition_accept_refusal),
        (ConditionAction.RETURN, condition_return_refusal),
        (ConditionAction.WAIVE, condition_waive_refusal),
    ]
    return [action for action, refusal in checks if refusal(user, condition) is None]


def conditions_visible_to(user: User) -> QuerySet[ReviewCondition]:
    if not can_read(user):
        return ReviewCondition.objects.none()
    return ReviewCondition.objects.all()


def get_condition_for_user(user: User, pk: int) -> ReviewCondition:
    condition = (
        conditions_visible_to(user)
        .select_related("review__function", "review__request", "use_case", "owner", "marked_met_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if condition is None:
        raise Http404("No such condition.")
    return condition
