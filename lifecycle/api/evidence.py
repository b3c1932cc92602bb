"""Evidence over the API: list, upload (idempotent for the same bytes), download."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from lifecycle.access import get_use_case_for_user
from lifecycle.api.serializers import ArtifactSerializer, ArtifactUploadSerializer
from lifecycle.models import Artifact, ModelVersion
from lifecycle.selectors import artifacts_of
from lifecycle.services import artifact_download_record, artifact_store


class ArtifactViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = ArtifactSerializer
    pagination_class = None
    parser_classes = [MultiPartParser, FormParser]
    queryset = Artifact.objects.none()  # for the schema; reads go through the access helpers

    @extend_schema(summary="Evidence of a use case, current and superseded", responses=ArtifactSerializer(many=True))
    def list(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        current = request.query_params.get("current")
        qs = artifacts_of(use_case, current={"true": True, "false": False}.get(current or ""))
        return Response(ArtifactSerializer(qs, many=True, context={"request": request}).data)

    @extend_schema(
        summary="Upload evidence (multipart); it supersedes the current artifact of its kind, unless it is the same",
        request={"multipart/form-data": ArtifactUploadSerializer},
        responses={201: ArtifactSerializer, 200: ArtifactSerializer},
    )
    def create(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = ArtifactUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = None
        if label := data.get("version"):
            version = ModelVersion.objects.filter(use_case=use_case, label=label).first()
            if version is None:
                raise exceptions.ValidationError({"version": f"This use case has no version {label}."})
        stored = artifact_store(
            use_case=use_case,
            actor=request.user,
            kind=data["kind"],
            file=data["file"],
            title=data.get("title", ""),
            version=version,
        )
        return Response(
            ArtifactSerializer(stored.artifact, context={"request": request}).data,
            status=status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Download one artifact (as an attachment)",
        # The file as it was uploaded, with its own type: a PDF, an image, text, JSON, an office document.
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    def download(self, request: AuthenticatedRequest, slug: str, pk: str) -> FileResponse:
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
