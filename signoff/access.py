"""Who may see and act on readiness requests and reviews. Views, the API and services all ask here.

Conditions of approval have their own module (condition_access.py), on the same Refusal.

Every `*_refusal` function returns None when the user may act, or a sentence
saying why not; the services raise it as PermissionDenied and the pages show
the same words. Keeping the reasons here means a page never offers a button
the service would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django_fsm import can_proceed

from accounts.models import FunctionMembership, ReviewFunction, User
from audit.refusals import Refused
from lifecycle.access import use_case_may_request_promotion
from lifecycle.models import UseCase
from signoff.models import (
    IN_REVIEW_STATES,
    ReadinessRequest,
    Review,
    ReviewCondition,
    ReviewState,
)

DECIDE_REVIEW = "signoff.decide_review"
AUDITORS_CHANGE_NOTHING = "Auditors read; they change nothing."


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: `forbidden` for the wrong person (403), otherwise the wrong moment (400)."""

    reason: str
    forbidden: bool = True

    def __str__(self) -> str:
        return self.reason

    def raise_it(self, *, on: UseCase | ReadinessRequest | Review | ReviewCondition | None = None) -> NoReturn:
        """403 (with what was refused, for the audit event) or 400."""
        if not self.forbidden:
            raise ValidationError(self.reason)
        if isinstance(on, ReviewCondition):
            raise Refused(self.reason, obj=on, use_case_id=on.use_case_id, request_id=on.review.request_id)
        if isinstance(on, Review):
            raise Refused(self.reason, obj=on, use_case_id=on.request.use_case_id, request_id=on.request_id)
        if isinstance(on, ReadinessRequest):
            raise Refused(self.reason, obj=on, use_case_id=on.use_case_id, request_id=on.pk)
        raise Refused(self.reason, obj=on, use_case_id=on.pk if on is not None else None)


def refuse_if_forbidden(refusal: Refusal | None, *, on: UseCase | ReadinessRequest | Review | ReviewCondition) -> None:
    """A page or the API checks first: the wrong person is refused (403) before their input is read.

    A refusal of the moment ("already decided") is left to the service, which answers it with a 400.
    """
    if refusal is not None and refusal.forbidden:
        refusal.raise_it(on=on)


def _no(reason: str) -> Refusal:
    return Refusal(reason)


def _not_now(reason: str) -> Refusal:
    return Refusal(reason, forbidden=False)


class RequestAction:
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    COMMENT = "comment"


class ReviewAction:
    CLAIM = "claim"
    ASSIGN = "assign"
    HAND_OVER = "hand_over"
    DECIDE = "decide"


def can_read(user: User) -> bool:
    """Everyone with a role reads sign-off: requests, reviews, conditions and policy."""
    return user.is_authenticated and user.has_any_role


def requests_visible_to(user: User) -> QuerySet[ReadinessRequest]:
    """Everyone with a role reads every request: sign-off is evidence the whole bank relies on."""
    if not can_read(user):
        return ReadinessRequest.objects.none()
    return ReadinessRequest.objects.all()


def reviews_visible_to(user: User) -> QuerySet[Review]:
    if not can_read(user):
        return Review.objects.none()
    return Review.objects.all()


def membership(user: User, function: ReviewFunction | int) -> FunctionMembership | None:
    """The user's membership of a function, read once per request (User.memberships_by_function)."""
    function_id = function if isinstance(function, int) else function.pk
    if not user.is_authenticated:
        return None
    return user.memberships_by_function().get(function_id)


def is_member(user: User, function: ReviewFunction | int) -> bool:
    return user.is_active and not user.is_auditor and membership(user, function) is not None


def is_lead(user: User, function: ReviewFunction | int) -> bool:
    m = membership(user, function)
    return user.is_active and not user.is_auditor and m is not None and m.is_lead


def is_owner(user: User, use_case: UseCase) -> bool:
    return use_case_may_request_promotion(user, use_case)


# Readiness requests ---------------------------------------------------------


def request_create_refusal(user: User, use_case: UseCase) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if not is_owner(user, use_case):
        return _no("Only the use case's owners may ask to promote it.")
    return None


def _request_owner_refusal(user: User, request: ReadinessRequest, verb: str) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if user.pk != request.submitted_by_id and not is_owner(user, request.use_case):
        return _no(f"Only the submitter or the use case's owners may {verb} this request.")
    return None


def request_submit_refusal(user: User, request: ReadinessRequest) -> Refusal | None:
    if reason := _request_owner_refusal(user, request, "submit"):
        return reason
    if not can_proceed(request.submit):
        return _not_now(f"Only a draft can be submitted; this request is {request.get_state_display().lower()}.")
    return None


def request_withdraw_refusal(user: User, request: ReadinessRequest) -> Refusal | None:
    if reason := _request_owner_refusal(user, request, "withdraw"):
        return reason
    if not can_proceed(request.withdraw):
        return _not_now(f"This request is closed ({request.get_state_display().lower()}).")
    return None


def request_resubmit_refusal(user: User, request: ReadinessRequest) -> Refusal | None:
    if reason := _request_owner_refusal(user, request, "resubmit"):
        return reason
    if not can_proceed(request.resubmit):
        return _not_now(
            "Only a request returned with changes requested can be resubmitted; "
            f"this one is {request.get_state_display().lower()}."
        )
    return None


def request_accept_refusal(user: User, request: ReadinessRequest, *, policy_needs_acceptance: bool) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if not request.use_case.business_owner_id or user.pk != request.use_case.business_owner_id:
        return _no("Only the use case's named business owner may accept it.")
    if not policy_needs_acceptance:
        return _not_now("This gate does not ask for the business owner's acceptance.")
    if request.state not in IN_REVIEW_STATES:
        return _not_now(f"The request is not in review (it is {request.get_state_display().lower()}).")
    if request.owner_accepted_at:
        return _not_now("The business owner has already accepted this request.")
    return None


def request_comment_refusal(user: User, request: ReadinessRequest) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if not can_read(user):
        return _no("You have no role in the portal.")
    return None


def request_actions(user: User, request: ReadinessRequest, *, policy_needs_acceptance: bool) -> list[str]:
    """The actions this user may take on this request now, for pages and the API alike."""
    checks = [
        (RequestAction.SUBMIT, request_submit_refusal(user, request)),
        (RequestAction.RESUBMIT, request_resubmit_refusal(user, request)),
        (RequestAction.WITHDRAW, request_withdraw_refusal(user, request)),
        (
            RequestAction.ACCEPT,
            request_accept_refusal(user, request, policy_needs_acceptance=policy_needs_acceptance),
        ),
        (RequestAction.COMMENT, request_comment_refusal(user, request)),
    ]
    return [action for action, refusal in checks if refusal is None]


# Reviews ---------------------------------------------------------------------


def review_conflict_refusal(user: User, review: Review) -> Refusal | None:
    """Segregation of duties: the reason this person may never sign this review, if any."""
    if user.pk == review.submitter_id:
        return _no("You submitted this request; someone else must review it.")
    if user.pk in (review.technical_owner_id, review.business_owner_id):
        return _no("You own this use case; a reviewer who does not own it must sign.")
    signed_other = (
        Review.objects.filter(request_id=review.request_id, revision=review.revision, decided_by=user)
        .exclude(pk=review.pk)
        .select_related("function")
        .first()
    )
    if signed_other is not None:
        return _no(
            f"You already signed this request for {signed_other.function}; one person never signs for two functions."
        )
    return None


def _review_open_refusal(review: Review) -> Refusal | None:
    if review.state == ReviewState.DECIDED:
        return _not_now("This review has already been decided.")
    if review.state == ReviewState.STALE:
        return _not_now(
            "This review is closed: the evidence changed after it was opened, so the request went back to the "
            "submitter and is reviewed again on its new evidence."
        )
    if not review.is_open:
        return _not_now(f"This review is closed ({review.get_state_display().lower()}).")
    if review.request.state not in IN_REVIEW_STATES:
        return _not_now(f"The request is not in review (it is {review.request.get_state_display().lower()}).")
    return None


def review_claim_refusal(user: User, review: Review) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if not is_member(user, review.function_id):
        return _no(f"Only members of {review.function} may take this review.")
    if reason := _review_open_refusal(review):
        return reason
    if review.state != ReviewState.UNASSIGNED:
        return _not_now(f"This review is already assigned to {review.assignee}.")
    return review_conflict_refusal(user, review)


def review_assign_refusal(user: User, review: Review) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if not is_lead(user, review.function_id):
        return _no(f"Only a lead of {review.function} may assign this review.")
    return _review_open_refusal(review)


def review_hand_over_refusal(user: User, review: Review) -> Refusal | None:
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if review.assignee_id != user.pk and not is_lead(user, review.function_id):
        return _no("Only the reviewer it is assigned to, or a lead of the function, may hand it over.")
    if reason := _review_open_refusal(review):
        return reason
    if review.state != ReviewState.ASSIGNED:
        return _not_now("This review is not assigned to anyone yet; take it or ask a lead to assign it.")
    return None


def assignee_refusal(candidate: User, review: Review) -> Refusal | None:
    """Whether `candidate` may be given this review (by a lead or by hand-over)."""
    if not candidate.is_active:
        return _not_now(f"{candidate} is not an active user.")
    if not is_member(candidate, review.function_id):
        return _not_now(f"{candidate} is not a member of {review.function}.")
    if candidate.pk == review.submitter_id:
        return _not_now(f"{candidate} submitted this request and may not review it.")
    if candidate.pk in (review.technical_owner_id, review.business_owner_id):
        return _not_now(f"{candidate} owns this use case and may not review it.")
    if review_conflict_refusal(candidate, review):
        return _not_now(f"{candidate} already signed this request for another function.")
    return None


def review_decide_refusal(user: User, review: Review) -> Refusal | None:
    if user.is_auditor:
        return _no("Auditors read; they decide nothing.")
    if not is_member(user, review.function_id):
        return _no(f"Only members of {review.function} decide this review.")
    if reason := _review_open_refusal(review):
        return reason
    lead = is_lead(user, review.function_id)
    assigned = review.assignee_id == user.pk and user.has_perm(DECIDE_REVIEW, review)
    if not (assigned or lead):
        who = f"assigned to {review.assignee}" if review.assignee_id else "not assigned to you"
        return _no(f"This review is {who}; only its assignee or a lead of {review.function} decides it.")
    return review_conflict_refusal(user, review)


def review_actions(user: User, review: Review) -> list[str]:
    checks = [
        (ReviewAction.CLAIM, review_claim_refusal),
        (ReviewAction.ASSIGN, review_assign_refusal),
        (ReviewAction.HAND_OVER, review_hand_over_refusal),
        (ReviewAction.DECIDE, review_decide_refusal),
    ]
    return [action for action, refusal in checks if refusal(user, review) is None]


# Lookups for views and the API ------------------------------------------------


def get_request_for_user(user: User, pk: int) -> ReadinessRequest:
    request = (
        requests_visible_to(user)
        .select_related("use_case__technical_owner", "use_case__business_owner", "version", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such readiness request.")
    return request


def get_review_for_user(user: User, pk: int, *, for_decision: bool = False) -> Review:
    review = (
        reviews_visible_to(user)
        .select_related("request__use_case", "request__submitted_by", "function", "assignee", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    if for_decision and (refusal := review_decide_refusal(user, review)):
        raise PermissionDenied(refusal.reason)
    return review


def get_function_for_user(user: User, key: str) -> ReviewFunction:
    function = ReviewFunction.objects.filter(key=key).first()
    if function is None or not can_read(user):
        raise Http404("No such review function.")
    return function


# Gate policy -------------------------------------------------------------------

POLICY_FUNCTION = "compliance"


def policy_edit_refusal(user: User) -> Refusal | None:
    """Gate policy is edited by compliance leads and administrators; everyone with a role reads it."""
    if user.is_auditor:
        return _no(AUDITORS_CHANGE_NOTHING)
    if user.is_portal_admin:
        return None
    if (
        user.is_active
        and FunctionMembership.objects.filter(user=user, is_lead=True, function__key=POLICY_FUNCTION).exists()
    ):
        return None
    return _no("Only compliance leads and administrators change gate policy.")
