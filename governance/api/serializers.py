"""What running governance's API answers and accepts."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from accounts.models import User
from governance.models import Finding, RequirementException, Severity, Suspension
from lifecycle.models import UseCase


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class SuspensionSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    suspended_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    lifted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Suspension
        fields = [
            "id",
            "use_case",
            "active",
            "reason",
            "cause",
            "suspended_by",
            "suspended_at",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]
        read_only_fields = fields


class SuspensionStateSerializer(serializers.Serializer):
    suspended = serializers.BooleanField()
    current = SuspensionSerializer(allow_null=True)
    history = SuspensionSerializer(many=True, help_text="Every suspension, newest first, the current one included.")


class FindingSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    raised_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    validated_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    version = serializers.SerializerMethodField()
    closure_evidence_sha256 = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "use_case",
            "version",
            "source",
            "severity",
            "title",
            "description",
            "owner",
            "due_date",
            "state",
            "raised_by",
            "raised_at",
            "remediation_notes",
            "closure_evidence",
            "closure_evidence_sha256",
            "remediated_at",
            "validated_by",
            "validated_at",
        ]
        read_only_fields = fields

    def get_version(self, obj: Finding) -> str | None:
        return obj.version.label if obj.version is not None else None

    def get_closure_evidence_sha256(self, obj: Finding) -> str | None:
        return obj.closure_evidence.sha256 if obj.closure_evidence is not None else None


class FindingCreateSerializer(serializers.Serializer):
    use_case = serializers.SlugField(max_length=100, help_text="The use case's slug.")
    # A field named `source` shadows Field.source for the type checker only; the API's key is `source`.
    source = serializers.ChoiceField(choices=Finding.Source.choices)  # type: ignore[assignment]
    severity = serializers.ChoiceField(choices=Severity.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, allow_blank=True, default="")
    due_date = serializers.DateField()
    owner = serializers.CharField(
        max_length=150,
        required=False,
        help_text="Username of a use case owner; the technical owner if absent.",
    )
    version = serializers.CharField(max_length=50, required=False, help_text="A version label of the use case.")


class FindingRemediateSerializer(serializers.Serializer):
    remediation_notes = serializers.CharField(max_length=20000)
    closure_evidence = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="An artifact id of the use case."
    )


class FindingValidateSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class RequirementExceptionSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    granted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    withdrawn_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    standing = serializers.SerializerMethodField(help_text="Waiving its requirement today.")

    class Meta:
        model = RequirementException
        fields = [
            "id",
            "use_case",
            "requirement_key",
            "standing",
            "reason",
            "compensating_controls",
            "expires_on",
            "granted_by",
            "granted_at",
            "withdrawn_by",
            "withdrawn_at",
        ]
        read_only_fields = fields

    def get_standing(self, obj: RequirementException) -> bool:
        return obj.withdrawn_at is None and obj.expires_on >= timezone.localdate()


class ExceptionGrantSerializer(serializers.Serializer):
    use_case = serializers.SlugField(max_length=100, help_text="The use case's slug.")
    requirement_key = serializers.CharField(
        max_length=64, help_text="The gate requirement's key, e.g. evidence.model_card."
    )
    reason = serializers.CharField(max_length=5000)
    compensating_controls = serializers.CharField(max_length=5000)
    expires_on = serializers.DateField(help_text="The last day it is waived; required again the day after.")
