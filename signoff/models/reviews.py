"""Reviews by each function, their decisions and the conditions an approval sets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import ReviewFunction
from lifecycle.models import UseCase
from signoff.models.requests import ReadinessRequest


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


APPROVING_DECISIONS = [Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS]


class ReviewState(models.TextChoices):
    UNASSIGNED = "unassigned", "In the function's queue"
    ASSIGNED = "assigned", "Assigned"
    DECIDED = "decided", "Decided"
    STALE = "stale", "Superseded by new evidence"
    CANCELLED = "cancelled", "Cancelled"


OPEN_REVIEW_STATES = [ReviewState.UNASSIGNED, ReviewState.ASSIGNED]


class Review(FSMModelMixin, models.Model):
    """One required function's review of one revision of a readiness request."""

    request = models.ForeignKey(ReadinessRequest, on_delete=models.CASCADE, related_name="reviews")
    function = models.ForeignKey(ReviewFunction, on_delete=models.PROTECT, related_name="reviews")
    revision = models.PositiveIntegerField()
    state = FSMField(max_length=12, choices=ReviewState.choices, default=ReviewState.UNASSIGNED, protected=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_reviews"
    )
    due_date = models.DateField(db_index=True)
    decision = models.CharField(max_length=24, choices=Decision.choices, blank=True)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_viewed_snapshot = models.JSONField(default=dict, blank=True, help_text="What the assignee last saw.")
    # Copies of the people who may not decide, so the database itself can
    # refuse a conflicted decision (a CHECK cannot look into other tables).
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    technical_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    business_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "function", "revision"], name="review_one_per_function_and_revision"
            ),
            # One person never signs for two functions of the same revision.
            models.UniqueConstraint(
                fields=["request", "revision", "decided_by"],
                condition=Q(decided_by__isnull=False),
                name="review_one_signature_per_person",
            ),
            # Nobody decides a review of a use case they own or a request they submitted.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (
                    ~Q(decided_by=F("submitter"))
                    & ~Q(decided_by=F("technical_owner"))
                    & (Q(business_owner__isnull=True) | ~Q(decided_by=F("business_owner")))
                ),
                name="review_segregation_of_duties",
            ),
            # A stale review keeps its decision (if it had one) for the record.
            models.CheckConstraint(
                condition=Q(state=ReviewState.DECIDED, decided_by__isnull=False, decided_at__isnull=False)
                | Q(state=ReviewState.STALE)
                | (~Q(state=ReviewState.DECIDED) & Q(decided_by__isnull=True)),
                name="review_decided_has_decider",
            ),
        ]
        permissions = [("decide_review", "Can decide this review")]
        indexes = [
            models.Index(fields=["function", "state", "due_date"], name="review_queue_idx"),
            models.Index(fields=["assignee", "state", "due_date"], name="review_assignee_idx"),
            # Queues and the reminder sweep read only open reviews by due date; most reviews are decided.
            models.Index(fields=["due_date"], condition=Q(state__in=OPEN_REVIEW_STATES), name="review_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.function} review of {self.request}"

    def get_absolute_url(self) -> str:
        return reverse("signoff:review-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REVIEW_STATES

    @property
    def conflicted_user_ids(self) -> set[int]:
        return {i for i in (self.submitter_id, self.technical_owner_id, self.business_owner_id) if i}

    @transition(field=state, source=OPEN_REVIEW_STATES, target=ReviewState.ASSIGNED)
    def assign(self, user) -> None:
        self.assignee = user

    @transition(field=state, source=ReviewState.ASSIGNED, target=ReviewState.UNASSIGNED)
    def release(self) -> None:
        self.assignee = None

    @transition(field=state, source=ReviewState.ASSIGNED, target=ReviewState.DECIDED)
    def decide(self, *, decision: str, comment: str, user) -> None:
        self.decision = decision
        self.comment = comment
        self.decided_by = user
        self.decided_at = timezone.now()

    @transition(field=state, source=[*OPEN_REVIEW_STATES, ReviewState.DECIDED], target=ReviewState.STALE)
    def mark_stale(self) -> None:
        pass

    @transition(field=state, source=OPEN_REVIEW_STATES, target=ReviewState.CANCELLED)
    def cancel(self) -> None:
        pass


class ReviewUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class ReviewGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


def condition_evidence_upload_to(instance: ReviewCondition, filename: str) -> str:
    # Content-addressed like the registry's evidence: the stored name is the hash, never the user's file name.
    return f"conditions/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}"


class ReviewCondition(models.Model):
    """A condition attached to an approval, tracked to closure.

    Its owner marks it met with evidence (a note, a file or both); the function that set it accepts it or
    returns it; a lead of that function may waive it with a reason. It belongs to the use case as much as to
    the review: it stays open across resubmissions and later requests until it is closed.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MARKED_MET = "marked_met", "Marked met, awaiting acceptance"
        MET = "met", "Met (accepted)"
        WAIVED = "waived", "Waived"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="conditions")
    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="conditions")
    text = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conditions")
    due_date = models.DateField(db_index=True)
    blocking = models.BooleanField(
        default=False, help_text="Once overdue past the grace the policy allows, the run gate denies while it is open."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    marked_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_met_at = models.DateTimeField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)
    evidence_file = models.FileField(upload_to=condition_evidence_upload_to, max_length=200, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    # Why the function sent the owner's evidence back, the last time it did.
    return_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["use_case", "status", "due_date"], name="condition_use_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["met", "waived"], closed_at__isnull=False, closed_by__isnull=False)
                | (~Q(status__in=["met", "waived"]) & Q(closed_at__isnull=True)),
                name="condition_closed_has_closer",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("signoff:condition-detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_CONDITION_STATES

    @property
    def function(self) -> ReviewFunction:
        return self.review.function


OPEN_CONDITION_STATES = [ReviewCondition.Status.OPEN, ReviewCondition.Status.MARKED_MET]
CLOSED_CONDITION_STATES = [ReviewCondition.Status.MET, ReviewCondition.Status.WAIVED]
