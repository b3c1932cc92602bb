"""The registry in Django's admin: for looking, not for changing.

Every write to the registry goes through lifecycle/services/, which checks
access, keeps object permissions in step and writes the audit trail in the
same transaction. An admin form would do none of that, so these models are
read-only here; administrators change use cases through the portal's pages,
where their changes are audited like anyone's.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from lifecycle.models import (
    Artifact,
    EvaluationMetric,
    ModelVersion,
    ReadinessAnswer,
    RiskAssessment,
    StageChange,
    UseCase,
    UseCaseGroupObjectPermission,
    UseCaseUserObjectPermission,
)


class VersionInline(ReadOnlyInline):
    model = ModelVersion
    fields = ["label", "provider", "model_identifier", "config_hash", "created_by", "created_at"]


class ArtifactInline(ReadOnlyInline):
    model = Artifact
    fk_name = "use_case"
    fields = ["kind", "original_name", "sha256", "size", "is_current", "uploaded_by", "uploaded_at"]


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = ["created_at", "kind", "from_stage", "to_stage", "reason", "actor"]


@admin.register(UseCase)
class UseCaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "stage", "risk_tier", "internal_tier", "technical_owner", "team", "updated_at"]
    list_filter = ["stage", "risk_tier", "internal_tier", "processes_personal_data", "customer_facing"]
    search_fields = ["title", "slug", "purpose", "team"]
    list_select_related = ["technical_owner"]
    inlines = [VersionInline, ArtifactInline, StageChangeInline]


class MetricInline(ReadOnlyInline):
    model = EvaluationMetric
    fields = ["name", "value", "threshold", "direction"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "provider", "model_identifier", "created_by", "created_at"]
    search_fields = ["use_case__slug", "label", "model_identifier", "config_hash"]
    list_select_related = ["use_case", "created_by"]
    inlines = [MetricInline]


@admin.register(EvaluationMetric)
class EvaluationMetricAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "value", "threshold", "direction"]
    list_select_related = ["version__use_case"]


@admin.register(Artifact)
class ArtifactAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "use_case", "kind", "sha256", "size", "is_current", "uploaded_at"]
    list_filter = ["kind", "is_current"]
    search_fields = ["original_name", "sha256", "use_case__slug"]
    list_select_related = ["use_case"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(ReadOnlyAdmin):
    list_display = [
        "use_case",
        "tier",
        "internal_tier",
        "is_final",
        "questionnaire_version",
        "assessed_by",
        "created_at",
    ]
    list_filter = ["tier", "is_final", "questionnaire_version"]
    search_fields = ["use_case__slug"]
    list_select_related = ["use_case", "assessed_by"]


@admin.register(ReadinessAnswer)
class ReadinessAnswerAdmin(ReadOnlyAdmin):
    list_display = ["use_case", "question", "answer", "answered_by", "answered_at"]
    list_filter = ["question", "answer"]
    list_select_related = ["use_case", "answered_by"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdmin):
    list_display = ["use_case", "kind", "from_stage", "to_stage", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["use_case", "actor"]


@admin.register(UseCaseUserObjectPermission)
class UseCaseUserObjectPermissionAdmin(ReadOnlyAdmin):
    list_display = ["content_object", "user", "permission"]
    list_select_related = ["content_object", "user", "permission"]


@admin.register(UseCaseGroupObjectPermission)
class UseCaseGroupObjectPermissionAdmin(ReadOnlyAdmin):
    list_display = ["content_object", "group", "permission"]
    list_select_related = ["content_object", "group", "permission"]
