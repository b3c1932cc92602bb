"""Reviews: taken from the queue, assigned, handed over, decided on the request's snapshot."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.refusals import Refused
from audit.services import Verb, audit_record
from notifications.services import Kind, notify
from signoff import access
from signoff.events import request_decided_emit
from signoff.models import (
    OPEN_REVIEW_STATES,
    Decision,
    ReadinessRequest,
    Review,
    ReviewCondition,
    ReviewState,
)
from signoff.services.approval import approve_if_complete, return_if_evidence_changed, return_to_submitter
from signoff.services.assignment import review_give, reviews_close
from signoff.services.base import MAX_COMMENT_LENGTH, lock_review, lock_reviews, owners_and_submitter, refuse
from signoff.tallies import review_cycle_tally


@dataclass(frozen=True)
class ConditionInput:
    """A condition attached to an approval: what must be done, by whom, by when."""

    text: str
    owner: User | None
    due_date: date | None
    blocking: bool = False


@dataclass(frozen=True)
class _CheckedCondition:
    """A condition _validate_decision accepted: it says what, names its owner and falls due in the future."""

    text: str
    owner: User
    due_date: date
    blocking: bool = False


def review_claim(*, review: Review, actor: User) -> Review:
    """A member of the function takes an unassigned review from the queue."""
    with transaction.atomic():
        _request, review = lock_review(review.pk)
        refuse(access.review_claim_refusal(actor, review), on=review)
        review_give(review, actor, actor, Verb.REVIEW_CLAIMED)
    return review


def review_assign(*, review: Review, actor: User, assignee: User) -> Review:
    """A lead assigns (or reassigns) a review to a member of the function."""
    with transaction.atomic():
        request, review = lock_review(review.pk)
        refuse(access.review_assign_refusal(actor, review), on=review)
        if (refusal := access.assignee_refusal(assignee, review)) is not None:
            raise ValidationError({"assignee": refusal.reason})
        if review.assignee_id == assignee.pk:
            raise ValidationError({"assignee": f"The review is already assigned to {assignee}."})
        review_give(review, assignee, actor, Verb.REVIEW_ASSIGNED)
        if assignee.pk != actor.pk:
            notify(
                users=[assignee],
                kind=Kind.ASSIGNED,
                title=f"Assigned to you: {review.function} review of {request.use_case}",
                body=f"{actor} assigned you this review, due {review.due_date:%Y-%m-%d}.",
                url=review.get_absolute_url(),
            )
    return review


def review_hand_over(*, review: Review, actor: User, to: User, note: str = "") -> Review:
    """The assignee (out of office, say) hands the review to another member of the same function."""
    with transaction.atomic():
        request, review = lock_review(review.pk)
        refuse(access.review_hand_over_refusal(actor, review), on=review)
        if to.pk == review.assignee_id:
            raise ValidationError({"to": f"The review is already assigned to {to}."})
        if (refusal := access.assignee_refusal(to, review)) is not None:
            raise ValidationError({"to": refusal.reason})
        review_give(review, to, actor, Verb.REVIEW_HANDED_OVER, note=note)
        notify(
            users=[to],
            kind=Kind.ASSIGNED,
            title=f"Handed to you: {review.function} review of {request.use_case}",
            body=f"{actor} handed you this review, due {review.due_date:%Y-%m-%d}." + (f" {note}" if note else ""),
            url=review.get_absolute_url(),
        )
    return review


def review_mark_viewed(*, review: Review, actor: User) -> None:
    """Remember the evidence the assignee last saw, so the next visit can show what changed."""
    if review.assignee_id != actor.pk or not review.is_open:
        return
    evidence = review.request.evidence_snapshot
    if review.last_viewed_snapshot != evidence:
        Review.objects.filter(pk=review.pk).update(last_viewed_snapshot=evidence)


def _validate_decision(decision: str, comment: str, conditions: list[ConditionInput]) -> list[_CheckedCondition]:
    errors: dict[str, list[str]] = {}
    checked: list[_CheckedCondition] = []
    if decision not in Decision.values:
        errors["decision"] = [f"Unknown decision {decision!r}; choose one of: {', '.join(Decision.values)}."]
    elif decision != Decision.APPROVE and not comment.strip():
        errors["comment"] = ["A comment is required for everything but a plain approval."]
    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = [f"Keep the comment under {MAX_COMMENT_LENGTH} characters."]
    if decision == Decision.APPROVE_WITH_CONDITIONS:
        if not conditions:
            errors["conditions"] = ["Approving with conditions needs at least one condition."]
        today = timezone.localdate()
        for n, condition in enumerate(conditions, start=1):
            text, owner, due = condition.text.strip(), condition.owner, condition.due_date
            problems = []
            if not text:
                problems.append("say what must be done")
            if owner is None or not owner.is_active:
                problems.append("name an active owner")
            if due is None or due <= today:
                problems.append("give a due date in the future")
            if problems or owner is None or due is None:
                errors.setdefault("conditions", []).append(f"Condition {n}: " + ", ".join(problems) + ".")
            else:
                checked.append(_CheckedCondition(text=text, owner=owner, due_date=due, blocking=condition.blocking))
    elif conditions and decision in Decision.values:
        errors["conditions"] = ["Only an approval with conditions carries conditions."]
    if errors:
        raise ValidationError(errors)
    return checked


def review_decide(
    *,
    review: Review,
    actor: User,
    decision: str,
    comment: str = "",
    conditions: Iterable[ConditionInput] = (),
) -> Review:
    """Approve, approve with conditions, reject or request changes on the request's current snapshot."""
    conditions = list(conditions)
    review_id = review.pk
    with transaction.atomic():
        request, review = lock_review(review_id)
        lock_reviews(request, revision=request.revision)
        refuse(access.review_decide_refusal(actor, review), on=review)
        checked = _validate_decision(decision, comment, conditions)
        # The safety net: an approval is of the snapshot, so evidence that moved
        # under the reviewer sends the request back instead of being signed.
        changed = return_if_evidence_changed(request, actor)
        if changed is None:
            _decide_locked(request, review, actor, decision, comment.strip(), checked)
    if changed is not None:
        # Raised after the commit: the request's return to the submitter stands.
        raise ValidationError(
            "The evidence changed since this request was submitted, so it went back to the submitter "
            "and nothing was signed: " + " ".join(changed)
        )
    review.refresh_from_db()
    return review


def _decide_locked(
    request: ReadinessRequest,
    review: Review,
    actor: User,
    decision: str,
    comment: str,
    conditions: list[_CheckedCondition],
) -> None:
    if review.state == ReviewState.UNASSIGNED:
        # A lead deciding straight from the queue takes the review first, on the record.
        review_give(review, actor, actor, Verb.REVIEW_ASSIGNED)
    review.decide(decision=decision, comment=comment, user=actor)
    try:
        with transaction.atomic():
            review.save(update_fields=["state", "decision", "comment", "decided_by", "decided_at"])
    except IntegrityError:
        # The constraints backing segregation of duties caught what the checks above should have.
        raise Refused(
            "Segregation of duties: you may not sign this review (you own, submitted or already signed it).",
            obj=review,
            use_case_id=request.use_case_id,
            request_id=request.pk,
        ) from None
    review_cycle_tally(review=review)
    for condition in conditions:
        ReviewCondition.objects.create(
            review=review,
            use_case_id=request.use_case_id,
            text=condition.text,
            owner=condition.owner,
            due_date=condition.due_date,
            blocking=condition.blocking,
        )
    audit_record(
        actor=actor,
        verb=Verb.REVIEW_DECIDED,
        obj=review,
        use_case_id=request.use_case_id,
        request_id=request.pk,
        changes={
            "decision": decision,
            "function": review.function.key,
            "revision": review.revision,
            "snapshot_hash": request.snapshot_hash,
            "comment": comment,
            "conditions": [
                {"text": c.text, "owner": c.owner.username, "due_date": c.due_date.isoformat(), "blocking": c.blocking}
                for c in conditions
            ],
        },
    )
    if decision == Decision.REJECT:
        others = lock_reviews(request, revision=request.revision, state__in=OPEN_REVIEW_STATES)
        before = request.state
        request.reject()
        request.save(update_fields=["state", "decided_at"])
        reviews_close(request, others, to=ReviewState.CANCELLED, actor=actor)
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_REJECTED,
            obj=request,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"state": [before, request.state], "by_function": review.function.key},
        )
        request_decided_emit(request=request, by_function=review.function.key)
        notify(
            users=owners_and_submitter(request),
            kind=Kind.REJECTED,
            title=f"Rejected: {request.use_case} to stage {request.target_stage}",
            body=f"{review.function} rejected the request: {comment}",
            url=request.get_absolute_url(),
        )
    elif decision == Decision.REQUEST_CHANGES:
        return_to_submitter(
            request, actor, reason=f"{review.function} requested changes: {comment}", stale_reviews=False
        )
    elif not approve_if_complete(request, actor) and request.in_review:
        notify(
            users=owners_and_submitter(request),
            kind=Kind.DECIDED,
            title=f"{review.function} approved: {request.use_case} to stage {request.target_stage}",
            body=comment,
            url=request.get_absolute_url(),
        )
