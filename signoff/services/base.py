"""What every sign-off service starts with: the locks, in the lock order, and the refusal.

Lock order, everywhere: the request row first, then its reviews, then the use
case (use_case_promote locks it). Two reviewers approving the last two reviews
at once therefore queue on the request row, and only the second one sees every
approval and promotes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import User
from lifecycle.models import UseCase
from signoff import access
from signoff.models import (
    ReadinessRequest,
    Review,
)

MAX_COMMENT_LENGTH = 10_000


def lock_request(request_id: int) -> ReadinessRequest:
    try:
        return ReadinessRequest.objects.select_for_update().get(pk=request_id)
    except ReadinessRequest.DoesNotExist:
        raise ValidationError("This readiness request no longer exists.") from None


def lock_reviews(request: ReadinessRequest, **filters) -> list[Review]:
    return list(Review.objects.select_for_update().filter(request=request, **filters).order_by("id"))


def lock_review(review_id: int) -> tuple[ReadinessRequest, Review]:
    request_id = Review.objects.filter(pk=review_id).values_list("request_id", flat=True).first()
    if request_id is None:
        raise ValidationError("This review no longer exists.")
    request = lock_request(request_id)
    review = Review.objects.select_for_update().get(pk=review_id)
    review.request = request
    return request, review


def refuse(refusal: access.Refusal | None, *, on: UseCase | ReadinessRequest | Review) -> None:
    """Raise the refusal, if there is one, saying what it refused (the audit event points at it)."""
    if refusal is not None:
        refusal.raise_it(on=on)


def owners_and_submitter(request: ReadinessRequest) -> list[User]:
    ids = {*request.use_case.owner_ids, request.submitted_by_id}
    return list(User.objects.filter(pk__in=ids))
