"""Reviews as slots: opened for a revision, given to a person (with the object permission to decide), closed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import ReviewFunction, User
from audit.services import Verb, audit_record
from lifecycle.models import UseCase
from notifications.services import Kind, notify
from signoff import access
from signoff.calendar import add_business_days
from signoff.gates import PolicySpec
from signoff.models import (
    ReadinessRequest,
    Review,
    ReviewState,
)
from signoff.selectors import (
    function_leads,
    function_people_to_notify,
)


def _grant_decide(review: Review, user: User, actor: User) -> None:
    assign_perm(access.DECIDE_REVIEW, user, review)
    audit_record(
        actor=actor,
        verb=Verb.PERMISSION_GRANTED,
        obj=review,
        use_case_id=review.request.use_case_id,
        request_id=review.request_id,
        changes={"user": user.username, "permission": "decide_review"},
    )


def _revoke_decide(review: Review, user_id: int | None, actor: User | None) -> None:
    if not user_id:
        return
    user = User.objects.get(pk=user_id)
    remove_perm(access.DECIDE_REVIEW, user, review)
    audit_record(
        actor=actor,
        verb=Verb.PERMISSION_REVOKED,
        obj=review,
        use_case_id=review.request.use_case_id,
        request_id=review.request_id,
        changes={"user": user.username, "permission": "decide_review"},
    )


def review_give(review: Review, assignee: User, actor: User, verb: Verb, *, note: str = "") -> None:
    """Assign (or reassign) the review, moving the object permission with it; a hand-over's note is kept."""
    previous = review.assignee_id
    review.assign(assignee)
    review.save(update_fields=["state", "assignee"])
    if previous and previous != assignee.pk:
        _revoke_decide(review, previous, actor)
    if previous != assignee.pk:
        _grant_decide(review, assignee, actor)
    audit_record(
        actor=actor,
        verb=verb,
        obj=review,
        use_case_id=review.request.use_case_id,
        request_id=review.request_id,
        changes={
            "assignee": [User.objects.get(pk=previous).username if previous else None, assignee.username],
            "state": review.state,
            **({"note": note} if note else {}),
        },
    )


def reviews_close(
    request: ReadinessRequest, reviews: Iterable[Review], *, to: ReviewState, actor: User | None
) -> list[Review]:
    """Close open reviews (stale or cancelled); with `to=STALE` decided ones go stale too."""
    closed = []
    for review in reviews:
        if to == ReviewState.STALE and can_proceed(review.mark_stale):
            review.mark_stale()
        elif to == ReviewState.CANCELLED and can_proceed(review.cancel):
            review.cancel()
        else:
            continue
        review.save(update_fields=["state"])
        if review.assignee_id and review.decided_by_id is None:
            _revoke_decide(review, review.assignee_id, actor)
        closed.append(review)
    return closed


def reviews_create(
    request: ReadinessRequest,
    spec: PolicySpec,
    use_case: UseCase,
    actor: User,
    *,
    previous: Sequence[Review] = (),
    previous_evidence: dict | None = None,
) -> list[Review]:
    """One review per required function for the request's current revision."""
    keys = spec.required_functions(use_case)
    functions = {f.key: f for f in ReviewFunction.objects.filter(key__in=keys)}
    missing = [k for k in keys if k not in functions]
    if missing:
        raise ValidationError(f"The gate policy names functions that do not exist: {', '.join(missing)}.")
    due = add_business_days(timezone.localdate(), spec.sla_business_days)
    before = {r.function_id: r for r in previous}
    created = []
    for key in keys:
        function = functions[key]
        old = before.get(function.pk)
        review = Review.objects.create(
            request=request,
            function=function,
            revision=request.revision,
            due_date=due,
            submitter_id=request.submitted_by_id,
            technical_owner_id=use_case.technical_owner_id,
            business_owner_id=use_case.business_owner_id,
            # A reviewer of the previous revision sees what changed since they looked.
            last_viewed_snapshot=(old.last_viewed_snapshot or previous_evidence or {}) if old else {},
        )
        review.request = request
        carried = (old.decided_by or old.assignee) if old else None
        if carried is not None and access.assignee_refusal(carried, review) is None:
            review_give(review, carried, actor, Verb.REVIEW_ASSIGNED)
        created.append(review)
    return created


def notify_queued(request: ReadinessRequest, reviews: list[Review]) -> None:
    # One notice per function, each linking straight to its review: the decision beside the evidence.
    for review in reviews:
        if review.assignee_id is None:
            notify(
                users=function_people_to_notify(function_keys=[review.function.key]),
                kind=Kind.QUEUED,
                title=f"Review queued: {request.use_case} to stage {request.target_stage}",
                body=f"A readiness request waits in the {review.function} queue (due {review.due_date:%Y-%m-%d}).",
                url=review.get_absolute_url(),
            )
    for review in reviews:
        if review.assignee is not None:
            notify(
                users=[review.assignee],
                kind=Kind.ASSIGNED,
                title=f"Review again: {request.use_case} to stage {request.target_stage}",
                body="The request was resubmitted; see what changed since you last looked.",
                url=review.get_absolute_url(),
            )


def reviews_release_for_user(*, user: User, actor: User | None, reason: str) -> list[Review]:
    """Someone left: the reviews they held go back to their function's queue, and its leads are told."""
    request_ids = sorted(
        set(Review.objects.filter(assignee=user, state=ReviewState.ASSIGNED).values_list("request_id", flat=True))
    )
    # Every lock before the first audit event: requests, then their reviews, the chain head last.
    requests = {r.pk: r for r in ReadinessRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk")}
    held = list(
        Review.objects.select_for_update()
        .filter(request_id__in=request_ids, assignee=user, state=ReviewState.ASSIGNED)
        .order_by("id")
    )
    for review in held:
        request = review.request = requests[review.request_id]
        review.release()
        review.save(update_fields=["state", "assignee"])
        _revoke_decide(review, user.pk, actor)
        audit_record(
            actor=actor,
            verb=Verb.REVIEW_RELEASED,
            obj=review,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"assignee": [user.username, None], "state": review.state, "reason": reason},
        )
        notify(
            users=function_leads(function=review.function),
            kind=Kind.QUEUED,
            title=f"Back in the queue: {review.function} review of {request.use_case}",
            body=f"{user} held it and is no longer here ({reason}). Assign it, due {review.due_date:%Y-%m-%d}.",
            url=review.get_absolute_url(),
        )
    return held
