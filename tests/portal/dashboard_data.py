"""Rows for the dashboard and insight tests, with the timestamps the test chooses.

Requests, reviews and packets are made directly (not through the sign-off
services) because these tests are about what the pages read, at fixed times.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.utils import timezone

from accounts.models import ReviewFunction, User
from lifecycle.models import StageChange, UseCase
from lifecycle.tallies import stage_stay_tally
from signoff.models import Packet, ReadinessRequest, RequestState, Review, ReviewState
from signoff.tallies import review_cycle_tally
from tests import factories


def request_make(
    use_case: UseCase,
    *,
    submitter: User | None = None,
    state: str = RequestState.SUBMITTED,
    submitted_at: datetime | None = None,
    decided_at: datetime | None = None,
) -> ReadinessRequest:
    version = factories.ModelVersionFactory(use_case=use_case)
    now = timezone.now()
    in_flight = state != RequestState.DRAFT
    return ReadinessRequest.objects.create(
        use_case=use_case,
        version=version,
        from_stage=use_case.stage,
        target_stage=use_case.stage + 1,
        state=state,
        submitted_by=submitter or use_case.technical_owner,
        submitted_at=(submitted_at or now) if in_flight else None,
        decided_at=decided_at,
        created_at=submitted_at or now,
    )


def review_make(
    request: ReadinessRequest,
    function_key: str,
    *,
    assignee: User | None = None,
    due: date | None = None,
    created_at: datetime | None = None,
    decided_by: User | None = None,
    decided_at: datetime | None = None,
) -> Review:
    use_case = request.use_case
    decided = decided_by is not None
    if decided:
        state = ReviewState.DECIDED
    elif assignee is not None:
        state = ReviewState.ASSIGNED
    else:
        state = ReviewState.UNASSIGNED
    review = Review.objects.create(
        request=request,
        function=ReviewFunction.objects.get(key=function_key),
        revision=request.revision,
        state=state,
        assignee=assignee or decided_by,
        due_date=due or timezone.localdate(),
        decision="approve" if decided else "",
        decided_by=decided_by,
        decided_at=decided_at if decided else None,
        created_at=created_at or timezone.now(),
        submitter=request.submitted_by,
        technical_owner=use_case.technical_owner,
        business_owner=use_case.business_owner,
    )
    if decided:
        review_cycle_tally(review=review)  # as review_decide does
    return review


def packet_make(request: ReadinessRequest) -> Packet:
    digest = hashlib.sha256(f"packet {request.pk}".encode()).hexdigest()
    return Packet.objects.create(
        request=request,
        packet_id=f"SG-TEST-{request.pk:05d}",
        file=f"packets/{digest}.pdf",
        sha256=digest,
        size=1024,
        unsigned_sha256=digest,
        unsigned_size=1024,
        page_count=3,
        audit_head_hash="0" * 64,
        audit_head_seq=0,
    )


def stage_history(use_case: UseCase, actor: User, *moves: tuple[int, int, datetime]) -> None:
    """Record stage changes (from, to, when) and leave the use case at the last stage."""
    for from_stage, to_stage, at in moves:
        change = StageChange.objects.create(
            use_case=use_case,
            kind=StageChange.Kind.PROMOTION if to_stage > from_stage else StageChange.Kind.DEMOTION,
            from_stage=from_stage,
            to_stage=to_stage,
            reason="test history",
            actor=actor,
            created_at=at,
        )
        stage_stay_tally(change=change)  # as the stage services do
    if moves:
        UseCase.objects.filter(pk=use_case.pk).update(stage=moves[-1][1], stage_entered_at=moves[-1][2])
