"""Use cases by slug, with their versions, evidence and risk assessments as nested routes.

Same access helpers and services as the pages; uploads go through the same
validator (lifecycle/uploads.py). A service's ValidationError becomes a 400
with field messages through the one road (audit/refusals.py); refusals are
403/404 and change nothing.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from core.parsers import StrictJSONParser
from lifecycle.access import get_use_case_for_user, use_case_may_create
from lifecycle.api.serializers import (
    ArtifactSerializer,
    ArtifactUploadSerializer,
    RiskAssessmentCreateSerializer,
    RiskAssessmentSerializer,
    UseCaseSerializer,
    UseCaseWriteSerializer,
    VersionSerializer,
)
from lifecycle.filters import UseCaseFilterSet
from lifecycle.models import (
    Artifact,
    ModelVersion,
    UseCase,
)
from lifecycle.selectors import (
    artifacts_of,
    assessments_of,
    use_cases_for_list,
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


@extend_schema_view(
    list=extend_schema(summary="Use cases visible to you"),
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
    request: AuthenticatedRequest
    serializer_class = UseCaseSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    queryset = UseCase.objects.none()  # for the schema; real reads go through the access helpers
    filterset_class = UseCaseFilterSet

    def get_queryset(self):
        return use_cases_for_list(self.request.user)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, slug: str) -> Response:
        return Response(self.get_serializer(get_use_case_for_user(request.user, slug)).data)

    def create(self, request: AuthenticatedRequest) -> Response:
        if not use_case_may_create(request.user):
            raise exceptions.PermissionDenied("Auditors and accounts without a role may not register use cases.")
        incoming = UseCaseWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        use_case = use_case_create(
            actor=request.user,
            slug=data.pop("slug", ""),
            title=data.pop("title"),
            purpose=data.pop("purpose"),
            technical_owner=data.pop("technical_owner", None),
            **data,
        )
        return Response(self.get_serializer(use_case).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        if not hasattr(request.data, "keys"):
            raise exceptions.ValidationError({"non_field_errors": ["Send an object of the fields to change."]})
        if "slug" in request.data:
            raise exceptions.ValidationError({"slug": "The slug never changes after creation."})
        incoming = UseCaseWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = {k: v for k, v in incoming.validated_data.items() if k in EDITABLE_FIELDS}
        use_case = use_case_update(use_case=use_case, actor=request.user, **fields)
        return Response(self.get_serializer(use_case).data)

    @extend_schema(methods=["GET"], summary="Versions of a use case", responses=VersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        summary="Record a new version (versions are immutable)",
        request=VersionSerializer,
        responses={201: VersionSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="versions",
        serializer_class=VersionSerializer,
        pagination_class=None,
    )
    def versions(self, request: AuthenticatedRequest, slug: str) -> Response:
        if request.method == "GET":
            use_case = get_use_case_for_user(request.user, slug)
            return Response(VersionSerializer(versions_of(use_case), many=True).data)
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = VersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        metrics = [MetricSpec(m["name"], m["value"], m["threshold"], m["direction"]) for m in data.pop("metrics", [])]
        version = model_version_create(use_case=use_case, actor=request.user, metrics=metrics, **data)
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
        pagination_class=None,
        parser_classes=[MultiPartParser, FormParser],
    )
    def artifacts(self, request: AuthenticatedRequest, slug: str) -> Response:
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
        artifact = artifact_upload(
            use_case=use_case,
            actor=request.user,
            kind=data["kind"],
            file=data["file"],
            title=data.get("title", ""),
            version=version,
        )
        return Response(ArtifactSerializer(artifact, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download one artifact (as an attachment)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"artifacts/(?P<pk>\d+)/download", url_name="artifact-download")
    def artifact_download(self, request: AuthenticatedRequest, slug: str, pk: str) -> FileResponse:
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
        pagination_class=None,
    )
    def risk_assessments(self, request: AuthenticatedRequest, slug: str) -> Response:
        if request.method == "GET":
            use_case = get_use_case_for_user(request.user, slug)
            return Response(RiskAssessmentSerializer(assessments_of(use_case), many=True).data)
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = RiskAssessmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        assessment = risk_assessment_record(
            use_case=use_case,
            actor=request.user,
            answers=data["answers"],
            is_final=data["is_final"],
            summary=data.get("summary", ""),
        )
        return Response(RiskAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
