"""Readiness requests, their states and their discussion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from lifecycle.models import ModelVersion, Stage, StageChange, UseCase


class RequestState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    SUPERSEDED = "superseded", "Superseded"


OPEN_REQUEST_STATES = [
    RequestState.DRAFT,
    RequestState.SUBMITTED,
    RequestState.CHANGES_REQUESTED,
    RequestState.RESUBMITTED,
]
IN_REVIEW_STATES = [RequestState.SUBMITTED, RequestState.RESUBMITTED]
CLOSED_REQUEST_STATES = [
    RequestState.APPROVED,
    RequestState.REJECTED,
    RequestState.WITHDRAWN,
    RequestState.SUPERSEDED,
]


class ReadinessRequest(FSMModelMixin, models.Model):
    """A request to promote a use case to the next stage, decided by second-line reviews."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="readiness_requests")
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="readiness_requests")
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    target_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    state = FSMField(max_length=20, choices=RequestState.choices, default=RequestState.DRAFT, protected=True)
    justification = models.TextField(blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The snapshot the reviews approve: policy, artifact hashes, version, assessment.
    revision = models.PositiveIntegerField(default=0)
    policy_snapshot = models.JSONField(default=dict, blank=True)
    evidence_snapshot = models.JSONField(default=dict, blank=True)
    snapshot_hash = models.CharField(max_length=64, blank=True)
    # The gate result at the moment of approval, as the packet shows it.
    approval_gate_result = models.JSONField(default=dict, blank=True)
    owner_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_accepted_at = models.DateTimeField(null=True, blank=True)
    stage_change = models.OneToOneField(
        StageChange, on_delete=models.PROTECT, null=True, blank=True, related_name="readiness_request"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The request list's default order, and insight's requests waiting longest: read a page, not a sort.
            models.Index(fields=["-created_at", "-id"], name="request_newest_idx"),
            models.Index(
                fields=["submitted_at", "id"], condition=Q(state__in=IN_REVIEW_STATES), name="request_waiting_idx"
            ),
            # The packet list, newest approval first, walks only the approved requests.
            models.Index(
                fields=["-decided_at", "-id"], condition=Q(state=RequestState.APPROVED), name="request_approved_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["use_case"],
                condition=Q(state__in=OPEN_REQUEST_STATES),
                name="request_one_open_per_use_case",
            ),
            # Promotion goes one stage at a time; a request at the stage the use case is at (1 or above)
            # approves a new version there, or renews the stage (the periodic review).
            models.CheckConstraint(
                condition=Q(target_stage=F("from_stage") + 1)
                | (Q(target_stage=F("from_stage")) & Q(from_stage__gte=1)),
                name="request_one_stage_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.use_case} → {Stage(self.target_stage).label}"

    def get_absolute_url(self) -> str:
        return reverse("signoff:request-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REQUEST_STATES

    @property
    def in_review(self) -> bool:
        return self.state in IN_REVIEW_STATES

    @property
    def is_promotion(self) -> bool:
        """A move up a stage; otherwise an approval at the stage the use case is at (a new version, a review)."""
        return self.target_stage == self.from_stage + 1

    @transition(field=state, source=RequestState.DRAFT, target=RequestState.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=IN_REVIEW_STATES, target=RequestState.CHANGES_REQUESTED)
    def return_to_submitter(self) -> None:
        pass

    @transition(field=state, source=RequestState.CHANGES_REQUESTED, target=RequestState.RESUBMITTED)
    def resubmit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(field=state, source=IN_REVIEW_STATES, target=RequestState.APPROVED)
    def approve(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=IN_REVIEW_STATES, target=RequestState.REJECTED)
    def reject(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=OPEN_REQUEST_STATES, target=RequestState.WITHDRAWN)
    def withdraw(self) -> None:
        self.decided_at = timezone.now()

    @transition(field=state, source=OPEN_REQUEST_STATES, target=RequestState.SUPERSEDED)
    def supersede(self) -> None:
        self.decided_at = timezone.now()


class RequestComment(models.Model):
    """Discussion on a readiness request."""

    request = models.ForeignKey(ReadinessRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.request}"
