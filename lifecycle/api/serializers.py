"""What the registry's API reads and writes."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from accounts.models import User
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    InternalTier,
    ModelVersion,
    RiskAssessment,
    Tier,
    UseCase,
)


class UseCaseSerializer(serializers.ModelSerializer):
    technical_owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    business_owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    risk_tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    internal_tier = serializers.ChoiceField(choices=InternalTier.choices, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = UseCase
        fields = [
            "slug",
            "title",
            "purpose",
            "approved_scope",
            "business_kpi",
            "technical_owner",
            "business_owner",
            "team",
            "sunset_criteria",
            "processes_personal_data",
            "customer_facing",
            "regulated_decision",
            "risk_tier",
            "internal_tier",
            "stage",
            "stage_label",
            "stage_entered_at",
            "revalidation_due",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj: UseCase) -> str:
        return reverse("usecase-detail", args=[obj.slug], request=self.context.get("request"))


class ResemblingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    technical_owner = serializers.CharField(source="technical_owner.username")
    stage = serializers.IntegerField()
    stage_label = serializers.CharField(source="get_stage_display")


class UseCaseCreatedSerializer(UseCaseSerializer):
    """The registered use case, and those already registered whose title is close to its own (a likely duplicate)."""

    resembling = serializers.SerializerMethodField()

    class Meta(UseCaseSerializer.Meta):
        fields = [*UseCaseSerializer.Meta.fields, "resembling"]
        read_only_fields = fields

    @extend_schema_field(ResemblingSerializer(many=True))
    def get_resembling(self, obj: UseCase) -> list[dict]:
        return list(ResemblingSerializer(self.context.get("resembling", []), many=True).data)


class UseCaseWriteSerializer(serializers.Serializer):
    """What a client may set. The slug only at creation; stage and tier never (they have their own flows)."""

    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    approved_scope = serializers.CharField(required=False, allow_blank=True)
    business_kpi = serializers.CharField(max_length=300, required=False, allow_blank=True)
    # Any active account: whether it may own a use case is the service's to say, with its reason.
    technical_owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    business_owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.CharField(max_length=100, required=False, allow_blank=True)
    sunset_criteria = serializers.CharField(required=False, allow_blank=True)
    processes_personal_data = serializers.BooleanField(required=False)
    customer_facing = serializers.BooleanField(required=False)
    regulated_decision = serializers.BooleanField(required=False)


class MetricSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    value = serializers.FloatField()
    threshold = serializers.FloatField()
    direction = serializers.ChoiceField(
        choices=EvaluationMetric.Direction.choices, default=EvaluationMetric.Direction.AT_LEAST
    )
    critical = serializers.BooleanField(
        default=False, help_text="A breach of this threshold in production suspends where the policy says so."
    )
    passes = serializers.BooleanField(read_only=True)


DIGEST_FIELD_HELP = "sha256: and 64 hexadecimal digits"


def _digest_field(help_text: str, *, required: bool = False) -> serializers.RegexField:
    return serializers.RegexField(
        r"^sha256:[0-9a-fA-F]{64}$",
        required=required,
        allow_blank=not required,
        help_text=help_text,
        error_messages={"invalid": f"Give the digest as {DIGEST_FIELD_HELP}."},
    )


class VersionSerializer(serializers.ModelSerializer):
    metrics = MetricSerializer(many=True, read_only=True)
    config_digest = serializers.CharField(read_only=True, allow_null=True)
    image_digest = serializers.SerializerMethodField()
    weights_digest = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "label",
            "provider",
            "model_identifier",
            "config_digest",
            "image_digest",
            "weights_digest",
            "config_hash",
            "agent_tools",
            "guardrails",
            "notes",
            "metrics",
            "role",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_image_digest(self, obj: ModelVersion) -> str | None:
        return ModelVersion.digest(obj.image_hash)

    def get_weights_digest(self, obj: ModelVersion) -> str | None:
        return ModelVersion.digest(obj.weights_hash)

    def get_role(self, obj: ModelVersion) -> str | None:
        """current (approved at the current stage), rollback (the one it replaced), or null."""
        use_case = obj.use_case
        if obj.pk == use_case.current_version_id:
            return "current"
        if obj.pk == use_case.rollback_version_id:
            return "rollback"
        return None


class VersionWriteSerializer(serializers.Serializer):
    # A field named `label` shadows Field.label for the type checker only; the API's key is `label`.
    label = serializers.CharField(max_length=50)  # type: ignore[assignment]
    provider = serializers.CharField(max_length=100)
    model_identifier = serializers.CharField(max_length=200)
    config_digest = _digest_field("The sha256: of the prompt or configuration that ships.")
    config_hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="The older spelling of config_digest: 64 hexadecimal digits, no prefix.",
        error_messages={"invalid": "Give the SHA-256 as 64 hexadecimal characters."},
    )
    image_digest = _digest_field("The sha256: of the container image, if one ships.")
    weights_digest = _digest_field("The sha256: of the model weights, if they ship.")
    agent_tools = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=100)
    guardrails = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    metrics = serializers.ListField(child=MetricSerializer(), required=False, max_length=200)

    def validate(self, data: dict) -> dict:
        digest, legacy = data.pop("config_digest", ""), data.pop("config_hash", "")
        if bool(digest) == bool(legacy):
            raise serializers.ValidationError({"config_digest": "Give the configuration's digest (config_digest)."})
        data["config_hash"] = (digest or legacy).lower().removeprefix("sha256:")
        data["image_hash"] = data.pop("image_digest", "").lower().removeprefix("sha256:")
        data["weights_hash"] = data.pop("weights_digest", "").lower().removeprefix("sha256:")
        return data


class ArtifactSerializer(serializers.ModelSerializer):
    version: serializers.SlugRelatedField[ModelVersion] = serializers.SlugRelatedField(
        slug_field="label", read_only=True, allow_null=True
    )
    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Artifact
        fields = [
            "id",
            "kind",
            "title",
            "original_name",
            "content_type",
            "sha256",
            "size",
            "is_current",
            "supersedes",
            "version",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Artifact) -> str:
        return reverse(
            "usecase-artifact-download", args=[obj.use_case.slug, obj.pk], request=self.context.get("request")
        )


class ArtifactUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ArtifactKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    version = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="The label of the version this evidence is for."
    )
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class RiskAssessmentSerializer(serializers.ModelSerializer):
    assessed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "questionnaire_version",
            "answers",
            "tier",
            "internal_tier",
            "transparency_flags",
            "annex_iii_areas",
            "gpai",
            "role",
            "fria_required",
            "is_final",
            "summary",
            "assessed_by",
            "created_at",
            "state",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class RiskAssessmentCreateSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text='{"Q01": {"answer": true, "rationale": "..."}, "Q10": {"areas": ["employment"], "rationale": "..."}}',
    )
    is_final = serializers.BooleanField()
    summary = serializers.CharField(required=False, allow_blank=True)


class DemoteSerializer(serializers.Serializer):
    to_stage = serializers.IntegerField(min_value=0, max_value=3, help_text="A lower stage than the current one.")
    reason = serializers.CharField(max_length=5000, help_text="Why: an incident, a failed revalidation, ...")


class RetireSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class ReadinessAnswerInputSerializer(serializers.Serializer):
    answer = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    artifact = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of an artifact that supports it."
    )


class ReadinessWriteSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=ReadinessAnswerInputSerializer(),
        help_text="{question key: {answer, note, artifact}}; the keys are those GET lists.",
    )


class ReadinessQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    question = serializers.CharField()
    answer = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()
    artifact = serializers.IntegerField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class ReadinessSerializer(serializers.Serializer):
    questions = ReadinessQuestionSerializer(many=True)


class ClassificationDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(help_text="true brings the lower tier into force; false keeps the old one.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
