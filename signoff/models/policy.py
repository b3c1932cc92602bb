"""Gate policy: what each stage requires and who signs, and what running governance allows after approval."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from accounts.models import ReviewFunction
from lifecycle.models import ArtifactKind, Stage

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
