"""The registry's REST API: use cases by slug, their versions, evidence and risk assessments.

Same access helpers and services as the pages; uploads go through the same
validator (lifecycle/uploads.py). Service ValidationErrors become 400s with
field messages; refusals are 403/404 and change nothing.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter

from lifecycle.access import get_use_case_for_user, use_case_may_create
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    InternalTier,
    ModelVersion,
    RiskAssessment,
    Stage,
    Tier,
    UseCase,
)
from lifecycle.selectors import (
    DEFAULT_SORT,
    SORTS,
    artifacts_of,
    assessments_of,
    owner_candidates,
    use_case_search,
    versions_of,
)
from lifecycle.services import (
    EDITABLE_FIELDS,
    MetricSpec,
    artifact_download_record,
    artifact_upload,
    model_version_create,
    risk_assessment_record,
    use_case_create,
    use_case_update,
)

extra_urlpatterns: list = []


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes accounts.authentication's bearer tokens in the schema (registered on import of the API modules)."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A token from `manage.py issue_token USERNAME`."}


def raise_as_400(exc: DjangoValidationError) -> NoReturn:
    """A service's refusal as the API's 400: field errors by field, the rest under non_field_errors."""
    if hasattr(exc, "error_dict"):
        raise exceptions.ValidationError(exc.message_dict) from None
    raise exceptions.ValidationError({"non_field_errors": exc.messages}) from None


class UseCaseSerializer(serializers.ModelSerializer):
    technical_owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    business_owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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
    version = serializers.SlugRelatedField(slug_field="label", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
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
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

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


@extend_schema_view(
    list=extend_schema(
        summary="Use cases visible to you",
        parameters=[
            OpenApiParameter("q", str, description="Search title, slug, purpose and team."),
            OpenApiParameter("stage", int, enum=Stage.values),
            OpenApiParameter("tier", str, enum=Tier.values),
            OpenApiParameter("sort", str, enum=list(SORTS)),
        ],
    ),
    retrieve=extend_schema(summary="One use case by slug"),
    create=extend_schema(
        summary="Register a use case", request=UseCaseWriteSerializer, responses={201: UseCaseSerializer}
    ),
    partial_update=extend_schema(
        summary="Edit registry fields (owners and administrators)",
        request=UseCaseWriteSerializer,
        responses={200: UseCaseSerializer},
    ),
)
class UseCaseViewSet(viewsets.GenericViewSet):
    serializer_class = UseCaseSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = UseCase.objects.none()  # for the schema; real reads go through the access helpers

    def get_queryset(self):
        params = self.request.query_params
        return use_case_search(
            self.request.user,
            q=params.get("q", ""),
            stage=params.get("stage", ""),
            tier=params.get("tier", ""),
            sort=params.get("sort", DEFAULT_SORT),
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(self.get_serializer(get_use_case_for_user(request.user, slug)).data)

    def create(self, request: Request) -> Response:
        if not use_case_may_create(request.user):
            raise exceptions.PermissionDenied("Auditors and accounts without a role may not register use cases.")
        incoming = UseCaseWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        try:
            use_case = use_case_create(
                actor=request.user,
                slug=data.pop("slug", ""),
                title=data.pop("title"),
                purpose=data.pop("purpose"),
                technical_owner=data.pop("technical_owner", None),
                **data,
            )
        except DjangoValidationError as exc:
            raise_as_400(exc)
        return Response(self.get_serializer(use_case).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        if not hasattr(request.data, "keys"):
            raise exceptions.ValidationError({"non_field_errors": ["Send an object of the fields to change."]})
        if "slug" in request.data:
            raise exceptions.ValidationError({"slug": "The slug never changes after creation."})
        incoming = UseCaseWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = {k: v for k, v in incoming.validated_data.items() if k in EDITABLE_FIELDS}
        try:
            use_case = use_case_update(use_case=use_case, actor=request.user, **fields)
        except DjangoValidationError as exc:
            raise_as_400(exc)
        return Response(self.get_serializer(use_case).data)

    @extend_schema(methods=["GET"], summary="Versions of a use case", responses=VersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Record a new version (versions are immutable)",
        request=VersionSerializer,
        responses={201: VersionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="versions", serializer_class=VersionSerializer)
    def versions(self, request: Request, slug: str) -> Response:
        if request.method == "GET":
            use_case = get_use_case_for_user(request.user, slug)
            return Response(VersionSerializer(versions_of(use_case), many=True).data)
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = VersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        metrics = [MetricSpec(m["name"], m["value"], m["threshold"], m["direction"]) for m in data.pop("metrics", [])]
        try:
            version = model_version_create(use_case=use_case, actor=request.user, metrics=metrics, **data)
        except DjangoValidationError as exc:
            raise_as_400(exc)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Evidence of a use case, current and superseded",
        responses=ArtifactSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Upload evidence (multipart); supersedes the current artifact of its kind",
        request={"multipart/form-data": ArtifactUploadSerializer},
        responses={201: ArtifactSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="artifacts",
        serializer_class=ArtifactSerializer,
        parser_classes=[MultiPartParser, FormParser],
    )
    def artifacts(self, request: Request, slug: str) -> Response:
        if request.method == "GET":
            use_case = get_use_case_for_user(request.user, slug)
            current = request.query_params.get("current")
            qs = artifacts_of(use_case, current={"true": True, "false": False}.get(current or ""))
            return Response(ArtifactSerializer(qs, many=True, context={"request": request}).data)
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = ArtifactUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = None
        if data.get("version") is not None:
            version = ModelVersion.objects.filter(pk=data["version"], use_case=use_case).first()
            if version is None:
                raise exceptions.ValidationError({"version": "No such version of this use case."})
        try:
            artifact = artifact_upload(
                use_case=use_case,
                actor=request.user,
                kind=data["kind"],
                file=data["file"],
                title=data.get("title", ""),
                version=version,
            )
        except DjangoValidationError as exc:
            raise_as_400(exc)
        return Response(ArtifactSerializer(artifact, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download one artifact (as an attachment)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"artifacts/(?P<pk>\d+)/download", url_name="artifact-download")
    def artifact_download(self, request: Request, slug: str, pk: str) -> FileResponse:
        use_case = get_use_case_for_user(request.user, slug)
        artifact = Artifact.objects.filter(use_case=use_case, pk=pk).first()
        if artifact is None:
            raise Http404("No such artifact.")
        try:
            handle = artifact.file.open("rb")
        except FileNotFoundError:
            raise Http404("The stored file is missing; tell an administrator.") from None
        artifact_download_record(artifact=artifact, actor=request.user)
        response = FileResponse(
            handle, as_attachment=True, filename=artifact.original_name, content_type=artifact.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(
        methods=["GET"],
        summary="Risk assessments, newest (current) first",
        responses=RiskAssessmentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Answer the EU AI Act questionnaire; the result becomes the use case's classification",
        request=RiskAssessmentCreateSerializer,
        responses={201: RiskAssessmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="risk-assessments",
        url_name="risk-assessments",
        serializer_class=RiskAssessmentSerializer,
    )
    def risk_assessments(self, request: Request, slug: str) -> Response:
        if request.method == "GET":
            use_case = get_use_case_for_user(request.user, slug)
            return Response(RiskAssessmentSerializer(assessments_of(use_case), many=True).data)
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = RiskAssessmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            assessment = risk_assessment_record(
                use_case=use_case,
                actor=request.user,
                answers=data["answers"],
                is_final=data["is_final"],
                summary=data.get("summary", ""),
            )
        except DjangoValidationError as exc:
            raise_as_400(exc)
        return Response(RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    router.register("use-cases", UseCaseViewSet, basename="usecase")
