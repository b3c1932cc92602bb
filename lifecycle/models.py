from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMIntegerField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from lifecycle.uploads import inline_content_type


class Stage(models.IntegerChoices):
    PROPOSED = 0, "0 · Proposed"
    SANDBOX = 1, "1 · Sandboxed evaluation"
    CONTROLLED = 2, "2 · Controlled production"
    GUARDED = 3, "3 · Production with guardrails"
    SCALE = 4, "4 · Production at scale"
    RETIRED = 9, "Retired"

    @classmethod
    def active(cls) -> list["Stage"]:
        return [s for s in cls if s != cls.RETIRED]


ACTIVE_STAGES = [s.value for s in Stage.active()]
HIGHEST_STAGE = Stage.SCALE


class Tier(models.TextChoices):
    """EU AI Act risk tier, as resolved by the classification questionnaire."""

    UNCLASSIFIED = "unclassified", "Not yet classified"
    OUT_OF_SCOPE = "out_of_scope", "Outside the AI Act"
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High-risk (Art. 6)"
    LIMITED = "limited", "Limited / transparency (Art. 50)"
    MINIMAL = "minimal", "Minimal"


# How demanding each tier is, lowest first: a change to a lower rank after stage 0 needs the risk function.
TIER_RANK = {"unclassified": -1, "out_of_scope": 0, "minimal": 1, "limited": 2, "high": 3, "prohibited": 4}
INTERNAL_TIER_RANK = {"": -1, "low": 0, "medium": 1, "high": 2}


class InternalTier(models.TextChoices):
    UNSET = "", "Not set"
    LOW = "low", "Low materiality"
    MEDIUM = "medium", "Medium materiality"
    HIGH = "high", "High materiality"


class UseCase(FSMModelMixin, models.Model):
    """A registry entry: one AI use case and where it stands in the lifecycle."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    purpose = models.TextField(help_text="What the system does and for whom.")
    approved_scope = models.TextField(blank=True, help_text="The uses it is approved for, and what is out of scope.")
    business_kpi = models.CharField(max_length=300, blank=True, help_text="The business measure it must move.")
    technical_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="technical_use_cases"
    )
    business_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="business_use_cases", null=True, blank=True
    )
    team = models.CharField(max_length=100, blank=True)
    sunset_criteria = models.TextField(blank=True, help_text="When it must be switched off or re-approved.")
    processes_personal_data = models.BooleanField(default=False)
    customer_facing = models.BooleanField(default=False)
    regulated_decision = models.BooleanField(
        default=False, help_text="Supports a decision that regulation governs (credit, insurance, employment, ...)."
    )
    # Denormalised from the current risk assessment so lists filter without joins.
    risk_tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.UNCLASSIFIED, db_index=True)
    internal_tier = models.CharField(max_length=8, choices=InternalTier.choices, blank=True, default="")
    stage = FSMIntegerField(choices=Stage.choices, default=Stage.PROPOSED, protected=True, db_index=True)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    revalidation_due = models.DateField(
        null=True, blank=True, help_text="When the periodic review of a use case in production falls due."
    )
    # What runs: the version approved at the current stage, and the one it replaced, kept allowed to roll back to.
    # Set by sign-off when it approves; a candidate version changes neither.
    current_version = models.ForeignKey(
        "ModelVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rollback_version = models.ForeignKey(
        "ModelVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["stage", "risk_tier"], name="usecase_stage_tier_idx"),
            # The use case list's default order (title, then slug): a page is read from the index.
            models.Index(fields=["title", "slug"], name="usecase_title_idx"),
            # Insight counts use cases by stage and the hour they entered it from this index alone.
            models.Index(fields=["stage", "stage_entered_at"], name="usecase_stage_entered_idx"),
            # The newest use cases first (the audit trail's suggestions) without sorting them all.
            models.Index(fields=["-created_at"], name="usecase_newest_idx"),
        ]
        constraints = [
            # Art. 5 practices may not run at all: a prohibited use case stays proposed or is retired.
            models.CheckConstraint(
                condition=~Q(risk_tier="prohibited") | Q(stage__in=[0, 9]),
                name="usecase_prohibited_stays_proposed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:use-case-detail", args=[self.slug])

    @property
    def is_prohibited(self) -> bool:
        return self.risk_tier == Tier.PROHIBITED

    @property
    def owner_ids(self) -> set[int]:
        return {i for i in (self.technical_owner_id, self.business_owner_id, self.created_by_id) if i}

    def promotion_refusal(self, target_stage: int | None = None) -> str | None:
        """Why this use case may not move up now (to `target_stage`, if given), in words; None when it may.

        The one statement of the stage rule: one stage at a time, never from
        retirement or the highest stage, and never for a prohibited practice.
        """
        if self.stage == Stage.RETIRED:
            return "The use case is retired; it cannot be promoted."
        if self.is_prohibited:
            return "A use case classified as prohibited can never leave stage 0."
        if self.stage >= HIGHEST_STAGE:
            return "The use case is already at the highest stage."
        if target_stage is not None and target_stage != self.stage + 1:
            return (
                f"Promotion goes one stage at a time: from {self.get_stage_display()} "
                f"the next stage is {self.stage + 1}, not {target_stage}."
            )
        return None

    def request_refusal(self, target_stage: int) -> str | None:
        """Why a readiness request for `target_stage` may not be asked now; None when it may.

        Either a promotion to the next stage, or an approval at the stage the use case is at (1 or above):
        a new version to run there, or the periodic review that renews it.
        """
        if target_stage == self.stage and self.stage not in (Stage.PROPOSED, Stage.RETIRED) and not self.is_prohibited:
            return None
        return self.promotion_refusal(target_stage)

    @property
    def next_stage(self) -> int | None:
        """The stage after this one (None when retired or at the top); whether it may go there is the gate's."""
        if self.stage == Stage.RETIRED or self.stage >= HIGHEST_STAGE:
            return None
        return self.stage + 1

    def may_promote(self) -> bool:
        return self.promotion_refusal() is None

    @transition(
        field=stage,
        source=[Stage.PROPOSED, Stage.SANDBOX, Stage.CONTROLLED, Stage.GUARDED],
        target=RETURN_VALUE(Stage.SANDBOX, Stage.CONTROLLED, Stage.GUARDED, Stage.SCALE),
        # django-fsm annotates a condition as Callable[[Model], bool]; it is called with this model's instance.
        conditions=[may_promote],  # type: ignore[list-item]
    )
    def promote(self) -> int:
        self.stage_entered_at = timezone.now()
        return self.stage + 1

    @transition(
        field=stage,
        source=[Stage.SANDBOX, Stage.CONTROLLED, Stage.GUARDED, Stage.SCALE],
        target=RETURN_VALUE(Stage.PROPOSED, Stage.SANDBOX, Stage.CONTROLLED, Stage.GUARDED),
    )
    def demote(self, to_stage: int) -> int:
        self.stage_entered_at = timezone.now()
        return to_stage

    @transition(field=stage, source=ACTIVE_STAGES, target=Stage.RETIRED)
    def retire(self) -> None:
        self.stage_entered_at = timezone.now()


class UseCaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(UseCase, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


class UseCaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(UseCase, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass


class StageChange(models.Model):
    """Every change of stage: who, when, from, to, why. Append-only by convention of the services."""

    class Kind(models.TextChoices):
        PROMOTION = "promotion", "Promotion"
        DEMOTION = "demotion", "Demotion"
        RETIREMENT = "retirement", "Retirement"

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="stage_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"


class ModelVersion(models.Model):
    """What actually runs: provider, model, configuration, tools, guardrails, evaluation."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="versions")
    label = models.CharField(max_length=50, help_text="e.g. 1.4.0 or 2026-11-rc2")
    provider = models.CharField(max_length=100)
    model_identifier = models.CharField(max_length=200)
    config_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the prompt or configuration that ships with this version."
    )
    image_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the container image, if any.")
    weights_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the model weights, if any.")
    agent_tools = models.JSONField(default=list, blank=True, help_text="The tools an agent may call.")
    guardrails = models.TextField(blank=True, help_text="Guardrail configuration: filters, limits, human checkpoints.")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["use_case", "label"], name="version_unique_label")]
        indexes = [models.Index(fields=["use_case", "config_hash"], name="version_config_idx")]

    def __str__(self) -> str:
        return f"{self.use_case.slug}@{self.label}"

    IDENTITY_FIELDS = ("model_identifier", "config_hash", "image_hash", "weights_hash")

    def identity(self) -> dict[str, str]:
        """What makes this version this version, besides its label: the model and the digests of what ships."""
        return {name: getattr(self, name) for name in self.IDENTITY_FIELDS}

    @staticmethod
    def digest(hex_hash: str) -> str | None:
        return f"sha256:{hex_hash}" if hex_hash else None

    @property
    def config_digest(self) -> str | None:
        return self.digest(self.config_hash)


class EvaluationMetric(models.Model):
    class Direction(models.TextChoices):
        AT_LEAST = "gte", "at least"
        AT_MOST = "lte", "at most"

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=100)
    value = models.FloatField()
    threshold = models.FloatField()
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.AT_LEAST)
    # A breach of a critical threshold in production suspends the use case where the gate policy says so.
    critical = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="metric_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.value} ({self.get_direction_display()} {self.threshold})"

    @property
    def passes(self) -> bool:
        return self.holds_for(self.value)

    def holds_for(self, value: float) -> bool:
        """Whether a value (evaluated, or observed in production) meets this metric's threshold."""
        if self.direction == self.Direction.AT_LEAST:
            return value >= self.threshold
        return value <= self.threshold


class ArtifactKind(models.TextChoices):
    EVALUATION_REPORT = "evaluation_report", "Evaluation report"
    DATA_LINEAGE = "data_lineage", "Data lineage and known limitations"
    OBSERVABILITY_PLAN = "observability_plan", "Observability plan"
    ROLLBACK_TEST = "rollback_test", "Rollback test record"
    COMMUNICATION_PLAN = "communication_plan", "Communication plan"
    MODEL_CARD = "model_card", "Model card"
    IMPACT_ASSESSMENT = "impact_assessment", "Impact assessment (DPIA / FRIA)"
    TELEMETRY_REVIEW = "telemetry_review", "Telemetry and incident review"
    MONITORING_SUMMARY = "monitoring_summary", "Monitoring summary since the last review"
    INCIDENT_REVIEW = "incident_review", "Incidents since the last review"
    # What a classification obliges (the default policy requires each where the tier and flags call for it).
    FRIA = "fria", "Fundamental rights impact assessment (Art. 27)"
    DPIA = "dpia", "Data protection impact assessment (GDPR Art. 35)"
    EU_REGISTRATION = "eu_registration", "Registration in the EU database (Art. 49)"
    EXEMPTION_RECORD = "art_6_3_record", "Documented Art. 6(3) assessment (Art. 6(4))"
    AI_DISCLOSURE = "ai_disclosure", "Transparency notice to people (Art. 50)"
    OTHER = "other", "Other"


def artifact_upload_to(instance: "Artifact", filename: str) -> str:
    # Content-addressed: the stored name is the hash, never the user's file name.
    return f"artifacts/{instance.sha256[:2]}/{instance.sha256}"


class Artifact(models.Model):
    """A piece of evidence. Stored once, never edited; a new upload supersedes it."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="artifacts")
    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="artifacts")
    kind = models.CharField(max_length=32, choices=ArtifactKind.choices)
    title = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=artifact_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["use_case", "kind"],
                condition=Q(is_current=True) & ~Q(kind="other"),
                name="artifact_one_current_per_kind",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="artifact_not_empty"),
        ]
        indexes = [models.Index(fields=["use_case", "is_current"], name="artifact_current_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("lifecycle:artifact-download", args=[self.use_case.slug, self.pk])

    @property
    def open_url(self) -> str:
        """Where the browser shows the file itself, for types it can show safely; empty otherwise."""
        return f"{self.get_absolute_url()}?inline=1" if inline_content_type(self.content_type) else ""


class RiskAssessment(models.Model):
    """One answered classification questionnaire. Kept forever; the newest is current."""

    class Role(models.TextChoices):
        PROVIDER = "provider", "Provider"
        DEPLOYER = "deployer", "Deployer"

    class State(models.TextChoices):
        IN_FORCE = "in_force", "In force"
        PENDING = "pending", "Lowers the tier: awaiting the risk function's approval"
        REJECTED = "rejected", "Rejected by the risk function"
        WITHDRAWN = "withdrawn", "Replaced by a later assessment before a decision"

    class Gpai(models.TextChoices):
        NONE = "none", "Not a general-purpose model"
        GPAI = "gpai", "General-purpose AI model (Art. 53)"
        SYSTEMIC = "systemic", "GPAI with systemic risk (Art. 51, 55)"

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="assessments")
    questionnaire_version = models.CharField(max_length=32)
    answers = models.JSONField(help_text="{question id: {answer, rationale}}")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    transparency_flags = models.JSONField(default=list, blank=True)
    gpai = models.CharField(max_length=10, choices=Gpai.choices, default=Gpai.NONE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.DEPLOYER)
    fria_required = models.BooleanField(default=False)
    annex_iii_areas = models.JSONField(default=list, blank=True)
    internal_tier = models.CharField(max_length=8, choices=InternalTier.choices)
    is_final = models.BooleanField(default=False, help_text="A pre-screen is preliminary; stage 2 needs a final one.")
    summary = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # A change that lowers the EU or internal tier after stage 0 waits for the risk function; the assessment in
    # force until then stays the use case's classification.
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FORCE, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.get_tier_display()} ({self.created_at:%Y-%m-%d})"


class ReadinessQuestion(models.TextChoices):
    BUSINESS_KPI = "business_kpi", "Is there a business KPI the use case must move?"
    REPRESENTATIVE_DATA = "representative_data", "Was it evaluated on representative data?"
    EVALUATION_RULES = "evaluation_rules", "Are evaluation rules and thresholds defined?"
    WORKFLOW_INTEGRATION = "workflow_integration", "Is it integrated into the real workflow?"
    NAMED_OWNER = "named_owner", "Is there a named owner who answers for it?"
    CONTROLS_DESIGNED = "controls_designed", "Are security, logging and approvals designed?"
    COMPLIANCE_ACCOUNTED = "compliance_accounted", "Are compliance needs accounted for?"


class ReadinessAnswer(models.Model):
    """One answer of the production-readiness check, with a note or a linked artifact."""

    use_case = models.ForeignKey(UseCase, on_delete=models.CASCADE, related_name="readiness_answers")
    question = models.CharField(max_length=32, choices=ReadinessQuestion.choices)
    answer = models.BooleanField()
    note = models.TextField(blank=True)
    artifact = models.ForeignKey(Artifact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["use_case", "question"]
        constraints = [models.UniqueConstraint(fields=["use_case", "question"], name="readiness_one_answer")]

    def __str__(self) -> str:
        return f"{self.use_case}: {self.question} = {'yes' if self.answer else 'no'}"
