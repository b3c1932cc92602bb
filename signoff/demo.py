"""Sample readiness requests and reviews for seed_demo, made through the real services.

Every promotion here is a real request, submitted on real evidence and signed
by reviewers who do not own the use case, so the audit trail, the packets and
the gate answer exactly as they would in use. Idempotent: a use case that has
already reached its stage, or already has the demo's request, is left alone.

The one shortcut, for the demo only: due dates of a few open reviews are moved
with a queryset update after creation, so the queue shows reviews due soon and
overdue without waiting days.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import FunctionMembership, User
from lifecycle.models import Stage, Tier, UseCase
from signoff import access, services
from signoff.calendar import add_business_days
from signoff.models import (
    OPEN_REQUEST_STATES,
    Decision,
    ReadinessRequest,
    RequestState,
    Review,
    ReviewState,
)

logger = logging.getLogger(__name__)

# Preferred demo use cases by slug; when the registry demo names them differently,
# a use case with the right properties stands in.
CODE_ASSISTANT = ("internal-code-assistant", "code-assistant")
CREDIT_SCORING = ("credit-scoring",)


@dataclass
class _Seeder:
    users: dict[str, User]
    notes: list[str]

    def note(self, text: str) -> None:
        self.notes.append(text)
        logger.info("demo: %s", text)

    def signer_for(self, review: Review, *, prefer: str = "") -> User | None:
        """The preferred reviewer if they may sign, else the first member (leads first) who may."""
        memberships = FunctionMembership.objects.filter(function_id=review.function_id, user__is_active=True)
        people = [m.user for m in memberships.select_related("user").order_by("-is_lead", "user__username")]
        if prefer and prefer in self.users:
            people.insert(0, self.users[prefer])
        for person in people:
            if access.assignee_refusal(person, review) is None:
                return person
        return None

    def open_request(self, use_case: UseCase) -> ReadinessRequest | None:
        return ReadinessRequest.objects.filter(use_case=use_case, state__in=OPEN_REQUEST_STATES).first()

    def request_next(self, use_case: UseCase) -> ReadinessRequest | None:
        """Create and submit a request for the next stage, or pick up the open one."""
        use_case.refresh_from_db()
        owner = use_case.technical_owner
        request = self.open_request(use_case)
        try:
            if request is None:
                request = services.readiness_request_create(
                    use_case=use_case,
                    actor=owner,
                    target_stage=use_case.stage + 1,
                    justification=f"Demo: evidence for stage {use_case.stage + 1} is complete.",
                )
            if request.state == RequestState.DRAFT:
                request = services.readiness_request_submit(request=request, actor=owner)
            elif request.state == RequestState.CHANGES_REQUESTED:
                request = services.readiness_request_resubmit(request=request, actor=owner)
        except (ValidationError, PermissionDenied) as exc:
            self.note(f"{use_case.slug}: could not ask for stage {use_case.stage + 1}: {' '.join(_messages(exc))}")
            return None
        request.refresh_from_db()
        return request

    def sign_all(self, request: ReadinessRequest, prefer: dict[str, str]) -> bool:
        for review in Review.objects.filter(request=request, revision=request.revision).select_related("function"):
            if review.state == ReviewState.DECIDED:
                continue
            review.request = request
            signer = self.signer_for(review, prefer=prefer.get(review.function.key, ""))
            if signer is None:
                self.note(f"request #{request.pk}: nobody may sign for {review.function}")
                return False
            if review.assignee is not None and review.assignee_id != signer.pk:
                signer = review.assignee
            try:
                if review.assignee_id is None:
                    services.review_claim(review=review, actor=signer)
                services.review_decide(review=review, actor=signer, decision=Decision.APPROVE)
            except (ValidationError, PermissionDenied) as exc:
                self.note(f"request #{request.pk}: {signer} could not sign: {' '.join(_messages(exc))}")
                return False
            request.refresh_from_db()
        return request.state == RequestState.APPROVED

    def promote_to(self, use_case: UseCase, stage: int, prefer: dict[str, str]) -> None:
        while True:
            use_case.refresh_from_db()
            if use_case.stage >= stage or use_case.stage == Stage.RETIRED:
                return
            request = self.request_next(use_case)
            if request is None:
                return
            if request.state != RequestState.APPROVED and not self.sign_all(request, prefer):
                return
            self.note(f"{use_case.slug}: promoted to stage {request.target_stage} by request #{request.pk}")

    def leave_open(self, use_case: UseCase, shape: Callable[[ReadinessRequest], None], label: str) -> bool:
        """A request left in review for the demo's queues, once per use case. False if none could be made."""
        use_case.refresh_from_db()
        if use_case.stage == Stage.PROPOSED:
            # Stage 1 needs no second-line sign-off; go there first so a review is needed.
            self.promote_to(use_case, Stage.SANDBOX, {})
            use_case.refresh_from_db()
        if ReadinessRequest.objects.filter(use_case=use_case, target_stage=use_case.stage + 1).exists():
            return True
        request = self.request_next(use_case)
        if request is None or not request.in_review:
            return False
        shape(request)
        self.note(f"{use_case.slug}: request #{request.pk} left open ({label})")
        return True


def _messages(exc: Exception) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def _pick(pool: list[UseCase], slugs: tuple[str, ...], fits: Callable[[UseCase], bool]) -> UseCase | None:
    for slug in slugs:
        for use_case in pool:
            if use_case.slug == slug:
                return use_case
    return next((u for u in pool if fits(u)), None)


def demo_requests_seed(*, users: dict[str, User], use_cases: dict[str, UseCase]) -> list[str]:
    """Promote some demo use cases through real requests and leave others in review. Returns what it did."""
    seeder = _Seeder(users=users, notes=[])
    rita = users.get("rita")
    pool = [
        u
        for u in UseCase.objects.filter(pk__in=[u.pk for u in use_cases.values()]).order_by("slug")
        if not u.is_prohibited and u.stage != Stage.RETIRED
    ]

    def not_rita(u: UseCase) -> bool:
        return rita is None or rita.pk not in u.owner_ids

    def take(use_case: UseCase | None) -> UseCase | None:
        if use_case is not None:
            pool.remove(use_case)
        return use_case

    if code := take(_pick(pool, CODE_ASSISTANT, lambda u: u.risk_tier != Tier.HIGH and not_rita(u))):
        seeder.promote_to(code, Stage.CONTROLLED, {"risk": "ravi"})
    if credit := take(_pick(pool, CREDIT_SCORING, lambda u: u.risk_tier == Tier.HIGH and not_rita(u))):
        seeder.promote_to(credit, Stage.GUARDED, {"risk": "rita", "compliance": "carl", "legal": "lena"})

    today = timezone.localdate()

    def unassigned_due_soon(request: ReadinessRequest) -> None:
        Review.objects.filter(request=request, revision=request.revision).update(due_date=add_business_days(today, 1))

    def assigned_and_overdue(request: ReadinessRequest) -> None:
        for review in Review.objects.filter(request=request, revision=request.revision):
            review.request = request
            member = seeder.signer_for(review, prefer="ravi" if review.function.key == "risk" else "")
            lead = _lead_of(review)
            if member is not None and lead is not None:
                try:
                    services.review_assign(review=review, actor=lead, assignee=member)
                except (ValidationError, PermissionDenied) as exc:
                    seeder.note(f"request #{request.pk}: could not assign: {' '.join(_messages(exc))}")
        Review.objects.filter(request=request, revision=request.revision).update(
            # Business days, so the review is past the escalation point whatever weekday the demo is seeded on.
            due_date=add_business_days(today, -(settings.ESCALATE_AFTER_DAYS_OVERDUE + 1))
        )

    def changes_requested(request: ReadinessRequest) -> None:
        review = Review.objects.filter(request=request, revision=request.revision).order_by("id").first()
        if review is None:
            seeder.note(f"request #{request.pk}: no review to ask for changes on")
            return
        review.request = request
        reviewer = seeder.signer_for(review)
        if reviewer is None:
            return
        try:
            services.review_decide(
                review=review,
                actor=reviewer,
                decision=Decision.REQUEST_CHANGES,
                comment="Attach the rollback test record from the last drill, and name the escalation path.",
            )
        except (ValidationError, PermissionDenied) as exc:
            seeder.note(f"request #{request.pk}: could not request changes: {' '.join(_messages(exc))}")

    # rita owns this one: her own function's review waits in the queue for someone else.
    if owned := take(next((u for u in pool if not not_rita(u)), None)):
        seeder.leave_open(owned, unassigned_due_soon, "unassigned and due tomorrow; rita owns it, so she cannot sign")

    for shape, label in ((assigned_and_overdue, "assigned and overdue"), (changes_requested, "changes requested")):
        for use_case in list(pool):
            take(use_case)
            if seeder.leave_open(use_case, shape, label):
                break
    return seeder.notes


def _lead_of(review: Review) -> User | None:
    membership = (
        FunctionMembership.objects.filter(function_id=review.function_id, is_lead=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None
