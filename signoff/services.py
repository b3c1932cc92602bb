"""Writes of the sign-off app: readiness requests and their reviews.

Each service runs in one transaction, locks what it changes, asks signoff.access
whether the actor may act, transitions, audits in the same transaction, and
leaves side effects (e-mail, the packet) to run after commit.

Lock order, everywhere: the request row first, then its reviews, then the use
case (use_case_promote locks it). Two reviewers approving the last two reviews
at once therefore queue on the request row, and only the second one sees every
approval and promotes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import ReviewFunction, User
from audit.services import Verb, audit_record
from lifecycle.models import ModelVersion, Stage, Tier, UseCase
from lifecycle.services import use_case_promote
from notifications.services import Kind, notify
from signoff import access
from signoff.calendar import add_business_days, yearly_revalidation_due
from signoff.gates import Category, PolicySpec, gate_evaluate, policy_for_request
from signoff.models import (
    APPROVING_DECISIONS,
    IN_REVIEW_STATES,
    OPEN_REQUEST_STATES,
    OPEN_REVIEW_STATES,
    Decision,
    ReadinessRequest,
    RequestComment,
    RequestState,
    Review,
    ReviewCondition,
    ReviewState,
)
from signoff.selectors import (
    evidence_equal,
    evidence_snapshot_current,
    function_people_to_notify,
    snapshot_diff,
    snapshot_hash,
    use_case_latest_version,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_COMMENT_LENGTH = 10_000


@dataclass(frozen=True)
class ConditionInput:
    """A condition attached to an approval: what must be done, by whom, by when."""

    text: str
    owner: User | None
    due_date: date | None


# Helpers ---------------------------------------------------------------------


def _lock_request(request_id: int) -> ReadinessRequest:
    try:
        return ReadinessRequest.objects.select_for_update().get(pk=request_id)
    except ReadinessRequest.DoesNotExist:
        raise ValidationError("This readiness request no longer exists.") from None


def _lock_reviews(request: ReadinessRequest, **filters) -> list[Review]:
    return list(Review.objects.select_for_update().filter(request=request, **filters).order_by("id"))


def _refuse(refusal: access.Refusal | None) -> None:
    if refusal is not None:
        refusal.raise_it()


def _owners_and_submitter(request: ReadinessRequest) -> list[User]:
    ids = {*request.use_case.owner_ids, request.submitted_by_id}
    return list(User.objects.filter(pk__in=ids))


def _audits_refusals(service: Callable[P, R]) -> Callable[P, R]:
    """Record a refused write in the audit trail, even though the refused transaction rolled back."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except PermissionDenied as exc:
            target = kwargs.get("request") or kwargs.get("review") or kwargs.get("use_case")
            request_id = getattr(target, "request_id", None) or (
                target.pk if isinstance(target, ReadinessRequest) else None
            )
            with transaction.atomic():
                audit_record(
                    actor=kwargs.get("actor"),
                    verb=Verb.ACCESS_REFUSED,
                    obj=target,
                    request_id=request_id,
                    changes={"action": service.__name__, "reason": str(exc)[:500]},
                )
            raise

    return wrapper


def _still_next_stage(request: ReadinessRequest, use_case: UseCase) -> None:
    if use_case.stage == Stage.RETIRED:
        raise ValidationError("The use case is retired; it cannot be promoted.")
    if use_case.is_prohibited:
        raise ValidationError("A use case classified as prohibited can never leave stage 0.")
    if use_case.stage != request.from_stage:
        raise ValidationError(
            f"The use case moved to {use_case.get_stage_display()} since this request was made; "
            "withdraw it and ask again."
        )


def _unmet_before_submission(gate) -> list[str]:
    return [r.detail for r in gate.requirements if not r.met and r.category != Category.APPROVAL]


def _version_ready_to_submit(request: ReadinessRequest, use_case: UseCase) -> ModelVersion | None:
    """The version a (re)submission names, once the gate lacks nothing the submitter must supply first."""
    version = use_case_latest_version(use_case=use_case)
    gate = gate_evaluate(use_case=use_case, target_stage=request.target_stage, version=version, request=request)
    if unmet := _unmet_before_submission(gate):
        raise ValidationError(unmet)
    return version


def _take_snapshot(request: ReadinessRequest, spec: PolicySpec, use_case: UseCase) -> None:
    policy = spec.as_snapshot()
    evidence = evidence_snapshot_current(use_case=use_case)
    request.policy_snapshot = policy
    request.evidence_snapshot = evidence
    request.snapshot_hash = snapshot_hash(policy=policy, evidence=evidence)


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


def _review_give(review: Review, assignee: User, actor: User, verb: Verb) -> None:
    """Assign (or reassign) the review, moving the object permission with it."""
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
        },
    )


def _reviews_close(
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


def _reviews_create(
    request: ReadinessRequest,
    spec: PolicySpec,
    use_case: UseCase,
    actor: User,
    *,
    previous: list[Review] = (),
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
            _review_give(review, carried, actor, Verb.REVIEW_ASSIGNED)
        created.append(review)
    return created


def _notify_queued(request: ReadinessRequest, reviews: list[Review]) -> None:
    unassigned = [r.function.key for r in reviews if r.assignee_id is None]
    if unassigned:
        notify(
            users=function_people_to_notify(function_keys=unassigned),
            kind=Kind.QUEUED,
            title=f"Review queued: {request.use_case} to stage {request.target_stage}",
            body=f"A readiness request waits in your function's queue (due {reviews[0].due_date:%Y-%m-%d}).",
            url=request.get_absolute_url(),
        )
    for review in reviews:
        if review.assignee_id:
            notify(
                users=[review.assignee],
                kind=Kind.ASSIGNED,
                title=f"Review again: {request.use_case} to stage {request.target_stage}",
                body="The request was resubmitted; see what changed since you last looked.",
                url=review.get_absolute_url(),
            )


def _queue_revision(
    request: ReadinessRequest,
    spec: PolicySpec,
    use_case: UseCase,
    actor: User,
    *,
    verb: Verb,
    changes: dict,
    previous: list[Review] = (),
    previous_evidence: dict | None = None,
) -> None:
    """Open the reviews of a freshly snapshotted revision, record it, and tell the queues (or let the gate decide)."""
    reviews = _reviews_create(request, spec, use_case, actor, previous=previous, previous_evidence=previous_evidence)
    audit_record(
        actor=actor,
        verb=verb,
        obj=request,
        use_case_id=use_case.pk,
        request_id=request.pk,
        changes={**changes, "functions": [r.function.key for r in reviews]},
    )
    if reviews or spec.requires_owner_acceptance:
        _notify_queued(request, reviews)
    else:
        # Nothing for the second line to sign (stage 1 by default): the gate decides alone.
        _approve_if_complete(request, actor)


def _after_approval(request_id: int) -> None:
    from core.tasks import enqueue
    from signoff.tasks import render_packet

    enqueue(render_packet, request_id)


def _approve_if_complete(request: ReadinessRequest, actor: User) -> bool:
    """Approve and promote when every approval is in. Returns whether it did.

    Runs with the request and its reviews locked; use_case_promote locks the use
    case last. The gate result at this moment is what the packet shows.
    """
    spec = policy_for_request(request)
    reviews = Review.objects.filter(request=request, revision=request.revision)
    if any(not (r.state == ReviewState.DECIDED and r.decision in APPROVING_DECISIONS) for r in reviews):
        return False
    if spec is not None and spec.requires_owner_acceptance and not request.owner_accepted_at:
        return False
    use_case = UseCase.objects.get(pk=request.use_case_id)
    gate = gate_evaluate(use_case=use_case, target_stage=request.target_stage, version=request.version, request=request)
    if not gate.allowed:
        _return_to_submitter(
            request,
            actor,
            reason="The gate is no longer met: " + "; ".join(r.detail for r in gate.unmet),
            stale_reviews=True,
        )
        return False
    request.approve()
    request.approval_gate_result = gate.as_snapshot()
    change = use_case_promote(
        use_case=use_case, actor=actor, reason=f"Readiness request #{request.pk} approved by second-line sign-off."
    )
    request.stage_change = change
    request.save(update_fields=["state", "decided_at", "approval_gate_result", "stage_change"])
    changes = {"state": [RequestState.SUBMITTED, request.state], "stage_change": change.pk, "to_stage": change.to_stage}
    if change.to_stage == Stage.GUARDED and use_case.risk_tier == Tier.HIGH:
        due = yearly_revalidation_due(timezone.localdate())
        UseCase.objects.filter(pk=use_case.pk).update(revalidation_due=due)
        changes["revalidation_due"] = due.isoformat()
    audit_record(
        actor=actor,
        verb=Verb.REQUEST_APPROVED,
        obj=request,
        use_case_id=request.use_case_id,
        request_id=request.pk,
        changes=changes,
    )
    notify(
        users=_owners_and_submitter(request),
        kind=Kind.PROMOTED,
        title=f"{use_case} promoted to stage {change.to_stage}",
        body=f"Readiness request #{request.pk} is approved; the sign-off packet follows.",
        url=request.get_absolute_url(),
    )
    transaction.on_commit(partial(_after_approval, request.pk))
    return True


def _return_to_submitter(request: ReadinessRequest, actor: User | None, *, reason: str, stale_reviews: bool) -> None:
    """Send the request back for changes; with `stale_reviews` every review of this revision must be given again."""
    reviews = _lock_reviews(request, revision=request.revision)
    if stale_reviews:
        _reviews_close(request, reviews, to=ReviewState.STALE, actor=actor)
    else:
        _reviews_close(request, [r for r in reviews if r.is_open], to=ReviewState.STALE, actor=actor)
    before = request.state
    request.return_to_submitter()
    request.owner_accepted_by = None
    request.owner_accepted_at = None
    request.save(update_fields=["state", "owner_accepted_by", "owner_accepted_at"])
    audit_record(
        actor=actor,
        verb=Verb.REQUEST_RETURNED,
        obj=request,
        use_case_id=request.use_case_id,
        request_id=request.pk,
        changes={"state": [before, request.state], "reason": reason},
    )
    notify(
        users=_owners_and_submitter(request) + [r.assignee for r in reviews if r.assignee_id],
        kind=Kind.CHANGES_REQUESTED,
        title=f"Changes requested: {request.use_case} to stage {request.target_stage}",
        body=reason,
        url=request.get_absolute_url(),
    )


def _return_if_evidence_changed(request: ReadinessRequest, actor: User | None) -> list[str] | None:
    """If the evidence differs from the request's snapshot, send it back; return what changed."""
    use_case = UseCase.objects.get(pk=request.use_case_id)
    current = evidence_snapshot_current(use_case=use_case)
    if evidence_equal(current, request.evidence_snapshot):
        return None
    changes = [c.detail for c in snapshot_diff(old=request.evidence_snapshot, new=current)] or ["Evidence changed."]
    _return_to_submitter(
        request,
        actor,
        reason="The evidence changed while the request was in review: " + " ".join(changes),
        stale_reviews=True,
    )
    return changes


# Readiness requests ------------------------------------------------------------


@_audits_refusals
def readiness_request_create(
    *, use_case: UseCase, actor: User, target_stage: int, justification: str = ""
) -> ReadinessRequest:
    """A draft request to promote `use_case` to the next stage."""
    with transaction.atomic():
        use_case = UseCase.objects.get(pk=use_case.pk)
        _refuse(access.request_create_refusal(actor, use_case))
        if use_case.stage == Stage.RETIRED:
            raise ValidationError("The use case is retired; it cannot be promoted.")
        if use_case.is_prohibited:
            raise ValidationError("A use case classified as prohibited can never leave stage 0.")
        if use_case.stage >= Stage.SCALE:
            raise ValidationError("The use case is already at the highest stage.")
        if target_stage != use_case.stage + 1:
            raise ValidationError(
                {
                    "target_stage": f"Promotion goes one stage at a time: from {use_case.get_stage_display()} "
                    f"the next stage is {use_case.stage + 1}, not {target_stage}."
                }
            )
        open_request = ReadinessRequest.objects.filter(use_case=use_case, state__in=OPEN_REQUEST_STATES).first()
        if open_request is not None:
            raise ValidationError(
                f"This use case already has an open readiness request (#{open_request.pk}); "
                "finish or withdraw it first."
            )
        version = use_case_latest_version(use_case=use_case)
        if version is None:
            raise ValidationError("Record a version (what actually runs) before asking for promotion.")
        try:
            with transaction.atomic():
                request = ReadinessRequest.objects.create(
                    use_case=use_case,
                    version=version,
                    from_stage=use_case.stage,
                    target_stage=target_stage,
                    justification=justification.strip(),
                    submitted_by=actor,
                )
        except IntegrityError:
            # Another request was opened at the same moment; the constraint keeps one.
            raise ValidationError("This use case already has an open readiness request.") from None
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_CREATED,
            obj=request,
            use_case_id=use_case.pk,
            request_id=request.pk,
            changes={"from_stage": request.from_stage, "target_stage": target_stage, "version": version.label},
        )
    return request


@_audits_refusals
def readiness_request_submit(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """Snapshot policy and evidence, and queue one review per required function."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        _refuse(access.request_submit_refusal(actor, request))
        if not can_proceed(request.submit):
            raise ValidationError("Only a draft can be submitted.")
        use_case = UseCase.objects.get(pk=request.use_case_id)
        _still_next_stage(request, use_case)
        spec = PolicySpec.for_stage(request.target_stage)
        if spec is None:
            raise ValidationError(
                f"No gate policy exists for stage {request.target_stage}; an administrator must define one."
            )
        request.version = _version_ready_to_submit(request, use_case)
        _take_snapshot(request, spec, use_case)
        request.revision += 1
        request.submit()
        request.save()
        _queue_revision(
            request,
            spec,
            use_case,
            actor,
            verb=Verb.REQUEST_SUBMITTED,
            changes={
                "state": [RequestState.DRAFT, request.state],
                "revision": request.revision,
                "snapshot_hash": request.snapshot_hash,
            },
        )
    return request


@_audits_refusals
def readiness_request_resubmit(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """After changes: a new snapshot and revision; earlier reviews go stale and are given again."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        _refuse(access.request_resubmit_refusal(actor, request))
        old_reviews = _lock_reviews(request)
        use_case = UseCase.objects.get(pk=request.use_case_id)
        _still_next_stage(request, use_case)
        # The request keeps the policy it was first submitted under.
        spec = policy_for_request(request)
        version = _version_ready_to_submit(request, use_case)
        previous_hash = request.snapshot_hash
        previous_evidence = request.evidence_snapshot
        _reviews_close(request, old_reviews, to=ReviewState.STALE, actor=actor)
        current_revision = [r for r in old_reviews if r.revision == request.revision]
        request.version = version
        _take_snapshot(request, spec, use_case)
        request.revision += 1
        request.owner_accepted_by = None
        request.owner_accepted_at = None
        request.resubmit()
        request.save()
        _queue_revision(
            request,
            spec,
            use_case,
            actor,
            verb=Verb.REQUEST_RESUBMITTED,
            changes={
                "state": [RequestState.CHANGES_REQUESTED, request.state],
                "revision": request.revision,
                "snapshot_hash": [previous_hash, request.snapshot_hash],
            },
            previous=current_revision,
            previous_evidence=previous_evidence,
        )
    return request


@_audits_refusals
def readiness_request_withdraw(*, request: ReadinessRequest, actor: User, reason: str = "") -> ReadinessRequest:
    with transaction.atomic():
        request = _lock_request(request.pk)
        _refuse(access.request_withdraw_refusal(actor, request))
        reviews = _lock_reviews(request, state__in=OPEN_REVIEW_STATES)
        before = request.state
        request.withdraw()
        request.save(update_fields=["state", "decided_at"])
        _reviews_close(request, reviews, to=ReviewState.CANCELLED, actor=actor)
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_WITHDRAWN,
            obj=request,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"state": [before, request.state], "reason": reason.strip()},
        )
        notify(
            users=[r.assignee for r in reviews if r.assignee_id],
            kind=Kind.DECIDED,
            title=f"Withdrawn: {request.use_case} to stage {request.target_stage}",
            body="The submitter withdrew the request; your review is no longer needed.",
            url=request.get_absolute_url(),
        )
    return request


@_audits_refusals
def readiness_request_accept_as_owner(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """The named business owner's acceptance, where the policy asks for it (a first-line sign-off)."""
    changed: list[str] | None = None
    with transaction.atomic():
        request = _lock_request(request.pk)
        spec = policy_for_request(request)
        needs = bool(spec and spec.requires_owner_acceptance)
        _refuse(access.request_accept_refusal(actor, request, policy_needs_acceptance=needs))
        _lock_reviews(request, revision=request.revision)
        changed = _return_if_evidence_changed(request, actor)
        if changed is None:
            request.owner_accepted_by = actor
            request.owner_accepted_at = timezone.now()
            request.save(update_fields=["owner_accepted_by", "owner_accepted_at"])
            audit_record(
                actor=actor,
                verb=Verb.OWNER_ACCEPTED,
                obj=request,
                use_case_id=request.use_case_id,
                request_id=request.pk,
                changes={"snapshot_hash": request.snapshot_hash},
            )
            _approve_if_complete(request, actor)
    if changed is not None:
        raise ValidationError(
            "The evidence changed since submission, so the request went back to the submitter: " + " ".join(changed)
        )
    return request


@_audits_refusals
def readiness_request_comment(*, request: ReadinessRequest, actor: User, body: str) -> RequestComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something to post a comment."})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError({"body": f"Keep comments under {MAX_COMMENT_LENGTH} characters."})
    with transaction.atomic():
        request = _lock_request(request.pk)
        _refuse(access.request_comment_refusal(actor, request))
        comment = RequestComment.objects.create(request=request, author=actor, body=body)
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_COMMENTED,
            obj=request,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"comment": comment.pk},
        )
    return comment


def readiness_request_check_snapshot(*, request: ReadinessRequest, actor: User | None = None) -> bool:
    """True when a request in review still matches the evidence; otherwise it goes back to the submitter."""
    with transaction.atomic():
        request = _lock_request(request.pk)
        if request.state not in IN_REVIEW_STATES:
            return True
        _lock_reviews(request, revision=request.revision)
        return _return_if_evidence_changed(request, actor) is None


def readiness_requests_close_for_use_case(*, use_case: UseCase, actor: User, reason: str) -> list[ReadinessRequest]:
    """Close open requests when the use case is demoted or retired: they were asked from a stage it left.

    Called at the start of the demotion/retirement transaction, before the use
    case is locked, to keep the usual lock order.
    """
    closed = []
    with transaction.atomic():
        for pk in ReadinessRequest.objects.filter(use_case=use_case, state__in=OPEN_REQUEST_STATES).values_list(
            "pk", flat=True
        ):
            request = _lock_request(pk)
            if not request.is_open:
                continue
            reviews = _lock_reviews(request, state__in=OPEN_REVIEW_STATES)
            before = request.state
            request.supersede()
            request.save(update_fields=["state", "decided_at"])
            _reviews_close(request, reviews, to=ReviewState.CANCELLED, actor=actor)
            audit_record(
                actor=actor,
                verb=Verb.REQUEST_SUPERSEDED,
                obj=request,
                use_case_id=request.use_case_id,
                request_id=request.pk,
                changes={"state": [before, request.state], "reason": reason},
            )
            closed.append(request)
    return closed


# Reviews -----------------------------------------------------------------------


def _lock_review(review_id: int) -> tuple[ReadinessRequest, Review]:
    request_id = Review.objects.filter(pk=review_id).values_list("request_id", flat=True).first()
    if request_id is None:
        raise ValidationError("This review no longer exists.")
    request = _lock_request(request_id)
    review = Review.objects.select_for_update().get(pk=review_id)
    review.request = request
    return request, review


@_audits_refusals
def review_claim(*, review: Review, actor: User) -> Review:
    """A member of the function takes an unassigned review from the queue."""
    with transaction.atomic():
        _request, review = _lock_review(review.pk)
        _refuse(access.review_claim_refusal(actor, review))
        _review_give(review, actor, actor, Verb.REVIEW_CLAIMED)
    return review


@_audits_refusals
def review_assign(*, review: Review, actor: User, assignee: User) -> Review:
    """A lead assigns (or reassigns) a review to a member of the function."""
    with transaction.atomic():
        request, review = _lock_review(review.pk)
        _refuse(access.review_assign_refusal(actor, review))
        if (refusal := access.assignee_refusal(assignee, review)) is not None:
            raise ValidationError({"assignee": refusal.reason})
        if review.assignee_id == assignee.pk:
            raise ValidationError({"assignee": f"The review is already assigned to {assignee}."})
        _review_give(review, assignee, actor, Verb.REVIEW_ASSIGNED)
        if assignee.pk != actor.pk:
            notify(
                users=[assignee],
                kind=Kind.ASSIGNED,
                title=f"Assigned to you: {review.function} review of {request.use_case}",
                body=f"{actor} assigned you this review, due {review.due_date:%Y-%m-%d}.",
                url=review.get_absolute_url(),
            )
    return review


@_audits_refusals
def review_hand_over(*, review: Review, actor: User, to: User, note: str = "") -> Review:
    """The assignee (out of office, say) hands the review to another member of the same function."""
    with transaction.atomic():
        request, review = _lock_review(review.pk)
        _refuse(access.review_hand_over_refusal(actor, review))
        if to.pk == review.assignee_id:
            raise ValidationError({"to": f"The review is already assigned to {to}."})
        if (refusal := access.assignee_refusal(to, review)) is not None:
            raise ValidationError({"to": refusal.reason})
        _review_give(review, to, actor, Verb.REVIEW_HANDED_OVER)
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


def _validate_decision(decision: str, comment: str, conditions: list[ConditionInput]) -> None:
    errors: dict[str, list[str]] = {}
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
            problems = []
            if not condition.text.strip():
                problems.append("say what must be done")
            if condition.owner is None or not condition.owner.is_active:
                problems.append("name an active owner")
            if condition.due_date is None or condition.due_date <= today:
                problems.append("give a due date in the future")
            if problems:
                errors.setdefault("conditions", []).append(f"Condition {n}: " + ", ".join(problems) + ".")
    elif conditions and decision in Decision.values:
        errors["conditions"] = ["Only an approval with conditions carries conditions."]
    if errors:
        raise ValidationError(errors)


def _decision_refusal_audit(*, review: Review, actor: User, decision: str, reason: str) -> None:
    # The refused attempt rolled back with its transaction; the record of it must not.
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.REVIEW_DECISION_REFUSED,
            obj=review,
            use_case_id=review.request.use_case_id,
            request_id=review.request_id,
            changes={"decision": str(decision)[:40], "reason": reason[:500]},
        )


def review_decision_refusal_record(*, review: Review, actor: User, decision: str, reason: str) -> None:
    """Audit a decision refused before it reached review_decide (a page or the API checked first)."""
    _decision_refusal_audit(review=review, actor=actor, decision=decision, reason=reason)


def _error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


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
    changed: list[str] | None = None
    try:
        with transaction.atomic():
            request, review = _lock_review(review_id)
            _lock_reviews(request, revision=request.revision)
            _refuse(access.review_decide_refusal(actor, review))
            _validate_decision(decision, comment, conditions)
            # The safety net: an approval is of the snapshot, so evidence that moved
            # under the reviewer sends the request back instead of being signed.
            changed = _return_if_evidence_changed(request, actor)
            if changed is None:
                _decide_locked(request, review, actor, decision, comment.strip(), conditions)
    except (PermissionDenied, ValidationError) as exc:
        _decision_refusal_audit(review=review, actor=actor, decision=decision, reason=_error_text(exc))
        raise
    if changed is not None:
        message = (
            "The evidence changed since this request was submitted, so it went back to the submitter "
            "and nothing was signed: " + " ".join(changed)
        )
        _decision_refusal_audit(review=review, actor=actor, decision=decision, reason=message)
        raise ValidationError(message)
    review.refresh_from_db()
    return review


def _decide_locked(
    request: ReadinessRequest,
    review: Review,
    actor: User,
    decision: str,
    comment: str,
    conditions: list[ConditionInput],
) -> None:
    if review.state == ReviewState.UNASSIGNED:
        # A lead deciding straight from the queue takes the review first, on the record.
        _review_give(review, actor, actor, Verb.REVIEW_ASSIGNED)
    review.decide(decision=decision, comment=comment, user=actor)
    try:
        with transaction.atomic():
            review.save(update_fields=["state", "decision", "comment", "decided_by", "decided_at"])
    except IntegrityError:
        # The constraints backing segregation of duties caught what the checks above should have.
        raise PermissionDenied(
            "Segregation of duties: you may not sign this review (you own, submitted or already signed it)."
        ) from None
    for condition in conditions:
        ReviewCondition.objects.create(
            review=review, text=condition.text.strip(), owner=condition.owner, due_date=condition.due_date
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
                {"text": c.text.strip(), "owner": c.owner.username, "due_date": c.due_date.isoformat()}
                for c in conditions
            ],
        },
    )
    if decision == Decision.REJECT:
        others = _lock_reviews(request, revision=request.revision, state__in=OPEN_REVIEW_STATES)
        before = request.state
        request.reject()
        request.save(update_fields=["state", "decided_at"])
        _reviews_close(request, others, to=ReviewState.CANCELLED, actor=actor)
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_REJECTED,
            obj=request,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"state": [before, request.state], "by_function": review.function.key},
        )
        notify(
            users=_owners_and_submitter(request),
            kind=Kind.REJECTED,
            title=f"Rejected: {request.use_case} to stage {request.target_stage}",
            body=f"{review.function} rejected the request: {comment}",
            url=request.get_absolute_url(),
        )
    elif decision == Decision.REQUEST_CHANGES:
        _return_to_submitter(
            request, actor, reason=f"{review.function} requested changes: {comment}", stale_reviews=False
        )
    elif not _approve_if_complete(request, actor) and request.in_review:
        notify(
            users=_owners_and_submitter(request),
            kind=Kind.DECIDED,
            title=f"{review.function} approved: {request.use_case} to stage {request.target_stage}",
            body=comment,
            url=request.get_absolute_url(),
        )
