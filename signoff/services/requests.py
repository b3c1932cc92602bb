"""Readiness requests: asked for, submitted on a snapshot of the evidence, resubmitted, withdrawn, accepted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle.models import ModelVersion, Stage, UseCase
from lifecycle.selectors import version_latest
from notifications.services import Kind, notify
from signoff import access
from signoff.events import request_submitted_emit
from signoff.gates import PolicySpec, gate_evaluate, policy_for_request
from signoff.models import (
    OPEN_REQUEST_STATES,
    OPEN_REVIEW_STATES,
    ReadinessRequest,
    RequestComment,
    RequestState,
    ReviewState,
)
from signoff.selectors import (
    evidence_snapshot_current,
    snapshot_hash,
)
from signoff.services.approval import approve_if_complete, queue_revision, return_if_evidence_changed
from signoff.services.assignment import reviews_close
from signoff.services.base import MAX_COMMENT_LENGTH, lock_request, lock_reviews, refuse


def _still_next_stage(request: ReadinessRequest, use_case: UseCase) -> None:
    if use_case.stage != request.from_stage and use_case.stage != Stage.RETIRED:
        raise ValidationError(
            f"The use case moved to {use_case.get_stage_display()} since this request was made; "
            "withdraw it and ask again."
        )
    if refusal := use_case.request_refusal(request.target_stage):
        raise ValidationError(refusal)


NO_VERSION = "Record a version (what actually runs) before asking for promotion."


def _no_policy(target_stage: int) -> str:
    return f"No gate policy exists for stage {target_stage}; an administrator must define one."


def _ready_to_submit(request: ReadinessRequest, use_case: UseCase) -> None:
    """Refuse a (re)submission while the gate lacks anything the submitter must supply first."""
    gate = gate_evaluate(use_case=use_case, target_stage=request.target_stage, version=request.version, request=request)
    if unmet := gate.unmet_before_submission:
        raise ValidationError([r.detail for r in unmet])


def _take_snapshot(request: ReadinessRequest, spec: PolicySpec, use_case: UseCase) -> None:
    policy = spec.as_snapshot()
    evidence = evidence_snapshot_current(use_case=use_case, version=request.version)
    request.policy_snapshot = policy
    request.evidence_snapshot = evidence
    request.snapshot_hash = snapshot_hash(policy=policy, evidence=evidence)


def readiness_request_create(
    *,
    use_case: UseCase,
    actor: User,
    target_stage: int,
    justification: str = "",
    version: ModelVersion | None = None,
) -> ReadinessRequest:
    """A draft request for `version` (the newest, unless named) at `target_stage`.

    The next stage is a promotion; the current stage approves a new version to run there, or renews the
    stage (the periodic review).
    """
    with transaction.atomic():
        use_case = UseCase.objects.get(pk=use_case.pk)
        refuse(access.request_create_refusal(actor, use_case), on=use_case)
        if use_case.stage == Stage.RETIRED or use_case.is_prohibited:
            raise ValidationError(use_case.promotion_refusal() or "")
        if refusal := use_case.request_refusal(target_stage):
            raise ValidationError({"target_stage": refusal})
        if version is not None and version.use_case_id != use_case.pk:
            raise ValidationError({"version": "That version belongs to another use case."})
        open_request = ReadinessRequest.objects.filter(use_case=use_case, state__in=OPEN_REQUEST_STATES).first()
        if open_request is not None:
            raise ValidationError(
                f"This use case already has an open readiness request (#{open_request.pk}); "
                "finish or withdraw it first."
            )
        version = version or version_latest(use_case)
        if version is None:
            raise ValidationError(NO_VERSION)
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


def readiness_request_submit(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """Snapshot policy and evidence, and queue one review per required function."""
    with transaction.atomic():
        request = lock_request(request.pk)
        refuse(access.request_submit_refusal(actor, request), on=request)
        if not can_proceed(request.submit):
            raise ValidationError("Only a draft can be submitted.")
        use_case = UseCase.objects.get(pk=request.use_case_id)
        _still_next_stage(request, use_case)
        spec = PolicySpec.for_stage(request.target_stage)
        if spec is None:
            raise ValidationError(_no_policy(request.target_stage))
        _ready_to_submit(request, use_case)
        _take_snapshot(request, spec, use_case)
        request.revision += 1
        request.submit()
        request.save()
        # Before the reviews are queued: where nothing needs signing the gate approves at once, and
        # receivers should hear of the submission before its decision.
        request_submitted_emit(request=request, resubmitted=False)
        queue_revision(
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


def readiness_request_resubmit(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """After changes: a new snapshot and revision; earlier reviews go stale and are given again."""
    with transaction.atomic():
        request = lock_request(request.pk)
        refuse(access.request_resubmit_refusal(actor, request), on=request)
        old_reviews = lock_reviews(request)
        use_case = UseCase.objects.get(pk=request.use_case_id)
        _still_next_stage(request, use_case)
        # The request keeps the policy it was first submitted under.
        spec = policy_for_request(request)
        if spec is None:
            raise ValidationError(_no_policy(request.target_stage))
        _ready_to_submit(request, use_case)
        previous_hash = request.snapshot_hash
        previous_evidence = request.evidence_snapshot
        reviews_close(request, old_reviews, to=ReviewState.STALE, actor=actor)
        current_revision = [r for r in old_reviews if r.revision == request.revision]
        _take_snapshot(request, spec, use_case)
        request.revision += 1
        request.owner_accepted_by = None
        request.owner_accepted_at = None
        request.resubmit()
        request.save()
        request_submitted_emit(request=request, resubmitted=True)
        queue_revision(
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


def readiness_request_withdraw(*, request: ReadinessRequest, actor: User, reason: str = "") -> ReadinessRequest:
    with transaction.atomic():
        request = lock_request(request.pk)
        refuse(access.request_withdraw_refusal(actor, request), on=request)
        reviews = lock_reviews(request, state__in=OPEN_REVIEW_STATES)
        before = request.state
        request.withdraw()
        request.save(update_fields=["state", "decided_at"])
        reviews_close(request, reviews, to=ReviewState.CANCELLED, actor=actor)
        audit_record(
            actor=actor,
            verb=Verb.REQUEST_WITHDRAWN,
            obj=request,
            use_case_id=request.use_case_id,
            request_id=request.pk,
            changes={"state": [before, request.state], "reason": reason.strip()},
        )
        notify(
            users=[r.assignee for r in reviews if r.assignee is not None],
            kind=Kind.DECIDED,
            title=f"Withdrawn: {request.use_case} to stage {request.target_stage}",
            body="The submitter withdrew the request; your review is no longer needed.",
            url=request.get_absolute_url(),
        )
    return request


def readiness_request_accept_as_owner(*, request: ReadinessRequest, actor: User) -> ReadinessRequest:
    """The named business owner's acceptance, where the policy asks for it (a first-line sign-off)."""
    changed: list[str] | None = None
    with transaction.atomic():
        request = lock_request(request.pk)
        spec = policy_for_request(request)
        needs = bool(spec and spec.requires_owner_acceptance)
        refuse(access.request_accept_refusal(actor, request, policy_needs_acceptance=needs), on=request)
        lock_reviews(request, revision=request.revision)
        changed = return_if_evidence_changed(request, actor)
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
            approve_if_complete(request, actor)
    if changed is not None:
        raise ValidationError(
            "The evidence changed since submission, so the request went back to the submitter: " + " ".join(changed)
        )
    return request


def readiness_request_comment(*, request: ReadinessRequest, actor: User, body: str) -> RequestComment:
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something to post a comment."})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError({"body": f"Keep comments under {MAX_COMMENT_LENGTH} characters."})
    with transaction.atomic():
        request = lock_request(request.pk)
        refuse(access.request_comment_refusal(actor, request), on=request)
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
            request = lock_request(pk)
            if not request.is_open:
                continue
            reviews = lock_reviews(request, state__in=OPEN_REVIEW_STATES)
            before = request.state
            request.supersede()
            request.save(update_fields=["state", "decided_at"])
            reviews_close(request, reviews, to=ReviewState.CANCELLED, actor=actor)
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
