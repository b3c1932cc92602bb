from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.models import ReviewFunction
from lifecycle.models import ArtifactKind, ModelVersion, Stage, StageChange, UseCase

# The registry fields a gate may require to be filled in, with the words a person reads.
REGISTRY_FIELD_CHOICES = [
    ("purpose", "Purpose"),
    ("approved_scope", "Approved uses and scope"),
    ("business_kpi", "Business measure (KPI)"),
    ("technical_owner", "Technical owner"),
    ("business_owner", "Business owner"),
    ("team", "Team"),
    ("sunset_criteria", "Sunset criteria"),
]


class GatePolicy(models.Model):
    """What promotion to one stage requires. Data, edited by administrators.

    A readiness request copies the policy into its snapshot when submitted, so
    editing a policy never changes a request already under review.
    """

    target_stage = models.PositiveSmallIntegerField(
        choices=[(s.value, s.label) for s in Stage.active() if s != Stage.PROPOSED], unique=True
    )
    required_artifact_kinds = models.JSONField(
        default=list, blank=True, help_text=f"Artifact kinds that must be current: {', '.join(ArtifactKind.values)}."
    )
    registry_fields = models.JSONField(
        default=list, blank=True, help_text="Registry fields that must be filled in (e.g. purpose, business_owner)."
    )
    requires_version = models.BooleanField(default=True)
    requires_metrics_passing = models.BooleanField(
        default=False, help_text="Every evaluation metric of the version meets its threshold."
    )
    requires_assessment = models.BooleanField(default=True, help_text="A non-prohibited risk classification.")
    requires_final_assessment = models.BooleanField(default=False)
    requires_readiness_check = models.BooleanField(default=False, help_text="All production-readiness answers yes.")
    requires_owner_acceptance = models.BooleanField(
        default=False, help_text="The named business owner accepts (a first-line sign-off)."
    )
    evaluation_fresh_since_stage_entry = models.BooleanField(
        default=False, help_text="The evaluation report must be newer than the current stage's start."
    )
    obligation_rules = models.JSONField(
        default=list,
        blank=True,
        help_text="What a classification obliges: [artifact kind, when] pairs; when is one of fria_required, "
        "dpia_needed, tier_high, exemption_6_3, transparency (signoff/gates/obligations.py).",
    )
    review_artifact_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text="For the periodic review (a request at the stage the use case is at): artifact kinds that must be "
        "new since the last approval at that stage.",
    )
    sla_business_days = models.PositiveSmallIntegerField(default=5)
    # Art. 26(5): a deployer suspends use when it believes the system presents a risk. Read for the stage a
    # use case is at when a monitored value breaches a threshold marked critical.
    suspend_on_critical_breach = models.BooleanField(
        default=True,
        help_text="At this stage, a monitored value that breaches a threshold marked critical suspends the use case.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_stage"]
        verbose_name_plural = "gate policies"

    def __str__(self) -> str:
        return f"Gate to {Stage(self.target_stage).label}"

    def clean(self) -> None:
        # A kind no upload can carry would lock the gate for good; a field the registry lacks, likewise.
        errors = {}
        kinds = self.required_artifact_kinds if isinstance(self.required_artifact_kinds, list) else [None]
        if unknown := [k for k in kinds if k not in ArtifactKind.values]:
            errors["required_artifact_kinds"] = (
                f"Unknown kind of evidence: {', '.join(map(str, unknown))}. Known: {', '.join(ArtifactKind.values)}."
            )
        fields = self.registry_fields if isinstance(self.registry_fields, list) else [None]
        known = [name for name, _ in REGISTRY_FIELD_CHOICES]
        if unknown := [f for f in fields if f not in known]:
            errors["registry_fields"] = (
                f"Unknown registry field: {', '.join(map(str, unknown))}. Known: {', '.join(known)}."
            )
        if errors:
            raise ValidationError(errors)


class SignoffRule(models.Model):
    """A second-line function must sign a gate when its condition holds for the use case."""

    class When(models.TextChoices):
        ALWAYS = "always", "Always"
        PERSONAL_DATA = "personal_data", "Personal data is processed"
        TIER_HIGH = "tier_high", "Tier is high-risk"
        TIER_LIMITED = "tier_limited", "Tier is limited (transparency)"
        CUSTOMER_FACING = "customer_facing", "Use case is customer-facing"
        REGULATED_DECISION = "regulated_decision", "Supports a regulated decision"

    policy = models.ForeignKey(GatePolicy, on_delete=models.CASCADE, related_name="signoff_rules")
    function = models.ForeignKey(ReviewFunction, on_delete=models.PROTECT, related_name="+")
    when = models.CharField(max_length=24, choices=When.choices)

    class Meta:
        ordering = ["policy", "function", "when"]
        constraints = [models.UniqueConstraint(fields=["policy", "function", "when"], name="signoff_rule_unique")]

    def __str__(self) -> str:
        return f"{self.function} signs when {self.get_when_display().lower()}"


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


def eu_tier_materiality_default() -> dict[str, str]:
    return {"high": "high", "limited": "medium", "minimal": "low", "out_of_scope": "low"}


class RunningPolicy(models.Model):
    """What running governance allows after approval: graces and review frequencies. One row, data.

    Edited by administrators in the admin; `RunningPolicy.current()` reads it (with the defaults when no
    row has been saved).
    """

    condition_grace_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days a blocking condition may be overdue before the run gate denies."
    )
    # SR 26-2 practice: review frequency follows materiality. Common practice: high yearly, medium every two
    # years, low every three.
    review_months_high = models.PositiveSmallIntegerField(default=12, help_text="Months between reviews: high.")
    review_months_medium = models.PositiveSmallIntegerField(default=24, help_text="Months between reviews: medium.")
    review_months_low = models.PositiveSmallIntegerField(default=36, help_text="Months between reviews: low.")
    eu_tier_materiality = models.JSONField(
        default=eu_tier_materiality_default,
        help_text="The materiality (high, medium, low) each EU AI Act tier counts as; the review follows the more "
        "demanding of this and the internal tier.",
    )
    review_grace_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days a periodic review may be overdue before the run gate denies."
    )

    class Meta:
        verbose_name_plural = "running policy"

    def __str__(self) -> str:
        return "Running governance policy"

    @classmethod
    def current(cls) -> RunningPolicy:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


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


class Reminder(models.Model):
    """One reminder or escalation that is due or was sent.

    The unique key (item, kind, sequence) makes sending idempotent: a sweep
    claims rows, and a second sweep or a rerun after a crash finds the same
    row instead of making another.
    """

    class Item(models.TextChoices):
        REVIEW = "review", "Review"
        CONDITION = "condition", "Condition"
        REVALIDATION = "revalidation", "Revalidation"
        FINDING = "finding", "Finding"
        INCIDENT = "incident", "Incident report"
        EXCEPTION = "exception", "Exception expiry"

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", "Due soon"
        ON_DUE = "on_due", "Due today"
        OVERDUE = "overdue", "Overdue"
        ESCALATION = "escalation", "Escalation"
        UNASSIGNED = "unassigned", "Unassigned"

    item_type = models.CharField(max_length=16, choices=Item.choices)
    item_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sequence = models.PositiveIntegerField(default=0, help_text="The day overdue, for daily reminders.")
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_id", "kind", "sequence"], name="reminder_unique_send")
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="reminder_unsent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.item_type} {self.item_id} (#{self.sequence})"


class Packet(models.Model):
    """A rendered sign-off packet (PDF). Stored once with its hash; never re-rendered over."""

    request = models.OneToOneField(ReadinessRequest, on_delete=models.PROTECT, related_name="packet")
    packet_id = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to="packets/", max_length=200)
    # The file as stored and served: the signed packet (or the document alone, where signing is not configured).
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    # The reproducible document before the signature was appended (the file's first revision).
    unsigned_sha256 = models.CharField(max_length=64, db_index=True)
    unsigned_size = models.PositiveBigIntegerField()
    # The signing certificate as the packet describes it (signoff/packets/signing.py); empty when unsigned.
    signer = models.JSONField(default=dict, blank=True)
    timestamped_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField()
    audit_head_hash = models.CharField(max_length=64)
    audit_head_seq = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="packet_newest_idx")]

    def __str__(self) -> str:
        return self.packet_id

    def get_absolute_url(self) -> str:
        return reverse("signoff:packet-detail", args=[self.packet_id])
