"""What the registry's API reads and writes."""

from __future__ import annotations

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
from lifecycle.selectors import (
    owner_candidates,
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


class UseCaseWriteSerializer(serializers.Serializer):
    """What a client may set. The slug only at creation; stage and tier never (they have their own flows)."""

    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    approved_scope = serializers.CharField(required=False, allow_blank=True)
    business_kpi = serializers.CharField(max_length=300, required=False, allow_blank=True)
    technical_owner = serializers.SlugRelatedField(slug_field="username", queryset=owner_candidates(), required=False)
    business_owner = serializers.SlugRelatedField(
        slug_field="username", queryset=owner_candidates(), required=False, allow_null=True
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
    passes = serializers.BooleanField(read_only=True)


class VersionSerializer(serializers.ModelSerializer):
    metrics = MetricSerializer(many=True, required=False)
    agent_tools = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    config_hash = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$",
        max_length=64,
        error_messages={"invalid": "Give the SHA-256 as 64 hexadecimal characters."},
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "label",
            "provider",
            "model_identifier",
            "config_hash",
            "agent_tools",
            "guardrails",
            "notes",
            "metrics",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]
        # The service reports a reused label as a 400 with its own message.
        validators: list = []


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
    version = serializers.IntegerField(required=False, allow_null=True, help_text="Id of a version of this use case.")
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class RiskAssessmentSerializer(serializers.ModelSerializer):
    assessed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
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
        ]
        read_only_fields = fields


class RiskAssessmentCreateSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text='{"Q01": {"answer": true, "rationale": "..."}, "Q10": {"areas": ["employment"], "rationale": "..."}}',
    )
    is_final = serializers.BooleanField()
    summary = serializers.CharField(required=False, allow_blank=True)
