"""Versions over the API: what runs, registered once, idempotently, together with its evidence if need be.

`POST` takes JSON, or multipart with the JSON in a `version` field and
evidence files in fields named by their kind (`evaluation_report=@eval.pdf`),
so a pipeline registers a build and its evaluation in one call, all or nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from core.parsers import MAX_DEPTH, StrictJSONParser, depth_exceeds, unstorable_text_at
from lifecycle.access import get_use_case_for_user
from lifecycle.api.serializers import ArtifactSerializer, VersionSerializer, VersionWriteSerializer
from lifecycle.models import ArtifactKind, ModelVersion
from lifecycle.selectors import versions_of
from lifecycle.services import MetricSpec, artifact_store, model_version_register


def _multipart_version(request: AuthenticatedRequest) -> tuple[Any, dict[str, Any]]:
    raw = request.data.get("version") if isinstance(request.data, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise exceptions.ValidationError({"version": "Put the version's JSON in a form field named 'version'."})
    if depth_exceeds(raw, MAX_DEPTH):
        raise exceptions.ValidationError({"version": f"The JSON nests deeper than {MAX_DEPTH} levels."})
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise exceptions.ValidationError({"version": f"Not valid JSON: {exc}"}) from None
    if where := unstorable_text_at(data):
        raise exceptions.ValidationError({"version": f"A NUL character or a lone surrogate in {where}; remove it."})
    files = {name: request.FILES[name] for name in request.FILES}
    unknown = sorted(set(files) - set(ArtifactKind.values))
    if unknown:
        raise exceptions.ValidationError(
            {name: f"Not a kind of evidence; use one of: {', '.join(ArtifactKind.values)}." for name in unknown}
        )
    return data, files


class VersionViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = VersionSerializer
    pagination_class = None
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    queryset = ModelVersion.objects.none()  # for the schema; reads go through the access helpers

    @extend_schema(summary="Versions of a use case, newest first", responses=VersionSerializer(many=True))
    def list(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        return Response(VersionSerializer(versions_of(use_case), many=True).data)

    @extend_schema(
        summary="Register a version (idempotent: the same label and digests again return it)",
        request={"application/json": VersionWriteSerializer, "multipart/form-data": VersionWriteSerializer},
        responses={201: VersionSerializer, 200: VersionSerializer},
    )
    def create(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        files: dict[str, Any] = {}
        body: Any = request.data
        if request.content_type.startswith("multipart/"):
            body, files = _multipart_version(request)
        incoming = VersionWriteSerializer(data=body)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        metrics = [
            MetricSpec(m["name"], m["value"], m["threshold"], m["direction"], m["critical"])
            for m in data.pop("metrics", [])
        ]
        with transaction.atomic():
            registered = model_version_register(use_case=use_case, actor=request.user, metrics=metrics, **data)
            stored = [
                artifact_store(use_case=use_case, actor=request.user, kind=kind, file=file, version=registered.version)
                for kind, file in sorted(files.items())
            ]
        created = registered.created or any(s.created for s in stored)
        version = ModelVersion.objects.select_related("use_case", "created_by").get(pk=registered.version.pk)
        answer = {
            **VersionSerializer(version).data,
            "artifacts": ArtifactSerializer([s.artifact for s in stored], many=True, context={"request": request}).data,
        }
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
