"""The two ways a request in review ends a revision: approved (and promoted), or returned to the submitter."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from core.tasks import enqueue
from lifecycle.models import UseCase
from lifecycle.services import use_case_promote, use_case_run_version_set
from notifications.services import Kind, notify
from signoff.events import request_decided_emit
from signoff.gates import PolicySpec, gate_evaluate, policy_for_request
from signoff.models import (
    APPROVING_DECISIONS,
    IN_REVIEW_STATES,
    ReadinessRequest,
    Review,
    ReviewState,
)
from signoff.periodic import REVIEW_STAGES, review_due_after
from signoff.selectors import (
    evidence_equal,
    evidence_snapshot_current,
    snapshot_diff,
)
from signoff.services.assignment import notify_queued, reviews_close, reviews_create
from signoff.services.base import lock_request, lock_reviews, owners_and_submitter
from signoff.tasks import render_packet


def queue_revision(
    request: ReadinessRequest,
    spec: PolicySpec,
    use_case: UseCase,
    actor: User,
    *,
    verb: Verb,
    changes: dict,
    previous: Sequence[Review] = (),
    previous_evidence: dict | None = None,
) -> None:
    """Open the reviews of a freshly snapshotted revision, record it, and tell the queues (or let the gate decide)."""
    reviews = reviews_create(request, spec, use_case, actor, previous=previous, previous_evidence=previous_evidence)
    audit_record(
        actor=actor,
        verb=verb,
        obj=request,
        use_case_id=use_case.pk,
        request_id=request.pk,
        changes={**changes, "functions": [r.function.key for r in reviews]},
    )
    if reviews or spec.requires_owner_acceptance:
        notify_queued(request, reviews)
    else:
        # Nothing for the second line to sign (stage 1 by default): the gate decides alone.
        approve_if_complete(request, actor)


def _after_approval(request_id: int) -> None:
    enqueue(render_packet, request_id)


def approve_if_complete(request: ReadinessRequest, actor: User) -> bool:
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
        return_to_submitter(
            request,
            actor,
            reason="The gate is no longer met: " + "; ".join(r.detail for r in gate.unmet),
            stale_reviews=True,
        )
        return False
    before = request.state
    request.approve()
    request.approval_gate_result = gate.as_snapshot()
    reason = f"Readiness request #{request.pk} approved by second-line sign-off."
    changes: dict = {"state": [before, request.state], "to_stage": request.target_stage}
    if request.is_promotion:
        change = use_case_promote(use_case=use_case, actor=actor, reason=reason)
        request.stage_change = change
        changes["stage_change"] = change.pk
    request.save(update_fields=["state", "decided_at", "approval_gate_result", "stage_change"])
    # The approved version is what runs now; the one it replaces stays allowed, to roll back to.
    use_case_run_version_set(use_case=use_case, version=request.version, actor=actor, reason=reason)
    changes["version"] = request.version.label
    if request.target_stage in REVIEW_STAGES:
        # An approval in production, a promotion or a renewal (the periodic review), starts the next cycle.
        due = review_due_after(use_case=use_case, start=timezone.localdate())
        UseCase.objects.filter(pk=use_case.pk).update(revalidation_due=due)
        changes["revalidation_due"] = [
            use_case.revalidation_due.isoformat() if use_case.revalidation_due else None,
            due.isoformat(),
        ]
    audit_record(
        actor=actor,
        verb=Verb.REQUEST_APPROVED,
        obj=request,
        use_case_id=request.use_case_id,
        request_id=request.pk,
        changes=changes,
    )
    request_decided_emit(request=request)
    notify(
        users=owners_and_submitter(request),
        kind=Kind.PROMOTED,
        title=f"{use_case} promoted to stage {request.target_stage}"
        if request.is_promotion
        else f"{use_case}: version {request.version.label} approved at stage {request.target_stage}",
        body=f"Readiness request #{request.pk} is approved; the sign-off packet follows.",
        url=request.get_absolute_url(),
    )
    transaction.on_commit(partial(_after_approval, request.pk))
    return True


def return_to_submitter(request: ReadinessRequest, actor: User | None, *, reason: str, stale_reviews: bool) -> None:
    """Send the request back for changes; with `stale_reviews` every review of this revision must be given again."""
    reviews = lock_reviews(request, revision=request.revision)
    if stale_reviews:
        reviews_close(request, reviews, to=ReviewState.STALE, actor=actor)
    else:
        reviews_close(request, [r for r in reviews if r.is_open], to=ReviewState.STALE, actor=actor)
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
        users=owners_and_submitter(request) + [r.assignee for r in reviews if r.assignee is not None],
        kind=Kind.CHANGES_REQUESTED,
        title=f"Changes requested: {request.use_case} to stage {request.target_stage}",
        body=reason,
        url=request.get_absolute_url(),
    )


def return_if_evidence_changed(request: ReadinessRequest, actor: User | None) -> list[str] | None:
    """If the evidence differs from the request's snapshot, send it back; return what changed."""
    use_case = UseCase.objects.get(pk=request.use_case_id)
    current = evidence_snapshot_current(use_case=use_case, version=request.version)
    if evidence_equal(current, request.evidence_snapshot):
        return None
    changes = [c.detail for c in snapshot_diff(old=request.evidence_snapshot, new=current)] or ["Evidence changed."]
    return_to_submitter(
        request,
        actor,
        reason="The evidence changed while the request was in review: " + " ".join(changes),
        stale_reviews=True,
    )
    return changes


def readiness_request_check_snapshot(*, request: ReadinessRequest, actor: User | None = None) -> bool:
    """True when a request in review still matches the evidence; otherwise it goes back to the submitter."""
    with transaction.atomic():
        request = lock_request(request.pk)
        if request.state not in IN_REVIEW_STATES:
            return True
        lock_reviews(request, revision=request.revision)
        return return_if_evidence_changed(request, actor) is None
