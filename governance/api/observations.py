"""Monitoring results over the API: a pipeline or a monitor pushes observed values of a version's metrics.

Idempotent as every push is: a retry with the same Idempotency-Key gets the first answer back and records
nothing more (core/idempotency.py).
"""

from __future__ import annotations

import math
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from governance.models import Finding, Observation
from governance.selectors import observations_of
from governance.services import ObservationSpec, observations_record
from governance.services.observations import MAX_BATCH, NAME_MAX
from lifecycle.access import get_use_case_for_user
from lifecycle.models import ModelVersion, UseCase


class FiniteNumberField(serializers.FloatField):
    """A JSON number that is finite; true and false are not numbers here, whatever Python says."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            raise serializers.ValidationError("Give a finite number.")
        return value


class ObservationInSerializer(serializers.Serializer):
    metric = serializers.CharField(max_length=NAME_MAX)
    value = FiniteNumberField()
    window_start = serializers.DateTimeField(required=False, allow_null=True, default=None)
    window_end = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When the window closed; now if not given."
    )
    # A field named `source` shadows Field.source for the type checker only; the API's key is `source`.
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=NAME_MAX, required=False, allow_blank=True, default=""
    )


class ObservationsPushSerializer(serializers.Serializer):
    observations = ObservationInSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)  # type: ignore[call-arg]


class ObservationSerializer(serializers.ModelSerializer):
    threshold = serializers.FloatField(allow_null=True, help_text="The version's threshold when it was observed.")
    finding: serializers.PrimaryKeyRelatedField[Finding] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "metric",
            "value",
            "window_start",
            "window_end",
            "source",
            "threshold",
            "breach",
            "finding",
            "recorded_at",
        ]
        read_only_fields = fields


class ObservationsRecordedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()
    breached = serializers.ListField(child=serializers.CharField(), help_text="Metrics that breached a threshold.")
    findings_opened = serializers.ListField(child=serializers.IntegerField())
    suspended = serializers.BooleanField(help_text="This push suspended the use case (a critical breach).")
    observations = ObservationSerializer(many=True)


def _version(use_case: UseCase, label: str) -> ModelVersion:
    version = ModelVersion.objects.filter(use_case=use_case, label=label).select_related("use_case").first()
    if version is None:
        raise Http404(f"This use case has no version {label}.")
    return version


class ObservationViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = ObservationSerializer
    queryset = Observation.objects.none()  # for the schema; reads go through the access helpers

    @extend_schema(summary="Observations of a version, by metric and window")
    def list(self, request: AuthenticatedRequest, slug: str, label: str) -> Response:
        version = _version(get_use_case_for_user(request.user, slug), label)
        page = self.paginate_queryset(observations_of(version))
        return self.get_paginated_response(ObservationSerializer(page, many=True).data)

    @extend_schema(
        summary="Record observed values of a version's metrics; breaches open findings, a critical one may suspend",
        request=ObservationsPushSerializer,
        responses={201: ObservationsRecordedSerializer},
    )
    def create(self, request: AuthenticatedRequest, slug: str, label: str) -> Response:
        version = _version(get_use_case_for_user(request.user, slug, for_change=True), label)
        incoming = ObservationsPushSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        specs = [ObservationSpec(**item) for item in incoming.validated_data["observations"]]
        recorded = observations_record(version=version, actor=request.user, observations=specs)
        answer = {
            "recorded": len(recorded.observations),
            "breached": sorted({o.metric for o in recorded.breaches}),
            "findings_opened": [f.pk for f in recorded.findings_opened],
            "suspended": recorded.suspension is not None,
            "observations": recorded.observations,
        }
        return Response(ObservationsRecordedSerializer(answer).data, status=status.HTTP_201_CREATED)
