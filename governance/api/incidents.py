"""The incident register over the API: the same access functions and services as its pages."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.models import User
from core.filters import FilterSet
from core.params import id_param
from governance.access import (
    incident_close_refusal,
    incident_link_refusal,
    incident_record_refusal,
    incident_report_refusal,
)
from governance.models import Incident
from governance.selectors import incidents_visible_to
from governance.services import (
    incident_blocking_set,
    incident_close,
    incident_link_demotion,
    incident_mark_reported,
    incident_record,
    incident_suspend,
)
from lifecycle.access import get_use_case_for_user
from lifecycle.models import ModelVersion, UseCase
from signoff.access import refuse_if_forbidden


class IncidentSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version: serializers.SlugRelatedField[ModelVersion] = serializers.SlugRelatedField(
        slug_field="label", read_only=True, allow_null=True
    )
    recorded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    reported_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    closed_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    report_due_on = serializers.DateField(read_only=True, allow_null=True, help_text="The Art. 73 clock's last day.")
    report_pending = serializers.BooleanField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "use_case",
            "version",
            "severity",
            "title",
            "description",
            "people_affected",
            "detected_at",
            "aware_at",
            "clock",
            "report_due_on",
            "report_pending",
            "reported_at",
            "reported_by",
            "state",
            "blocking",
            "suspension",
            "demotion",
            "root_cause",
            "corrective_actions",
            "recorded_by",
            "recorded_at",
            "closed_by",
            "closed_at",
        ]
        read_only_fields = fields


class IncidentWriteSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Incident.Severity.choices)
    clock = serializers.ChoiceField(
        choices=Incident.Clock.choices, required=False, allow_blank=True, default="", help_text="Serious ones only."
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    people_affected = serializers.CharField(required=False, allow_blank=True, default="")
    detected_at = serializers.DateTimeField()
    aware_at = serializers.DateTimeField(help_text="When the organisation became aware: the Art. 73 clock starts.")
    version = serializers.CharField(required=False, max_length=50, help_text="The label of the version involved.")
    blocking = serializers.BooleanField(required=False, default=False, help_text="While open, the run gate denies.")


class ReportedSerializer(serializers.Serializer):
    reported_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Now if absent.")


class IncidentSuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentBlockingSerializer(serializers.Serializer):
    blocking = serializers.BooleanField(help_text="While the incident is open, the run gate denies.")


class IncidentCloseSerializer(serializers.Serializer):
    root_cause = serializers.CharField()
    corrective_actions = serializers.CharField()


class IncidentFilterSet(FilterSet):
    state = django_filters.ChoiceFilter(choices=Incident.State.choices)
    severity = django_filters.ChoiceFilter(choices=Incident.Severity.choices)
    report_pending = django_filters.BooleanFilter(label="Art. 73 report not yet made", method="_pending")

    def _pending(self, queryset, name: str, value: bool | None):
        if value is None:
            return queryset
        pending = queryset.filter(report_due_on__isnull=False, reported_at__isnull=True)
        return pending if value else queryset.exclude(pk__in=pending.values("pk"))


class UseCaseIncidentViewSet(viewsets.GenericViewSet):
    """A use case's incidents: list and record."""

    request: AuthenticatedRequest
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()  # for the schema; reads go through the access helpers

    @extend_schema(summary="Incidents of a use case, the soonest Art. 73 report due first")
    def list(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        page = self.paginate_queryset(incidents_visible_to(request.user).filter(use_case=use_case))
        return self.get_paginated_response(IncidentSerializer(page, many=True).data)

    @extend_schema(
        summary="Record an incident; a serious one starts its Art. 73 clock",
        request=IncidentWriteSerializer,
        responses={201: IncidentSerializer},
    )
    def create(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        refuse_if_forbidden(incident_record_refusal(request.user, use_case), on=use_case)
        incoming = IncidentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        version = None
        if label := data.pop("version", None):
            version = ModelVersion.objects.filter(use_case=use_case, label=label).first()
            if version is None:
                raise serializers.ValidationError({"version": [f"This use case has no version {label}."]})
        incident = incident_record(use_case=use_case, actor=request.user, version=version, **data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentViewSet(viewsets.GenericViewSet):
    """The register across use cases, an incident, and what is done to it."""

    request: AuthenticatedRequest
    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()
    filterset_class = IncidentFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return incidents_visible_to(self.request.user)

    def _get(self, pk: str) -> Incident:
        incident_id = id_param(pk)
        incident = incidents_visible_to(self.request.user).filter(pk=incident_id).first() if incident_id else None
        if incident is None:
            raise Http404("No such incident.")
        return incident

    def _answer(self, incident: Incident) -> Response:
        return Response(IncidentSerializer(self._get(str(incident.pk))).data)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(IncidentSerializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return Response(IncidentSerializer(self._get(pk)).data)

    @extend_schema(request=ReportedSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request: AuthenticatedRequest, pk: str) -> Response:
        incident = self._get(pk)
        refuse_if_forbidden(incident_report_refusal(request.user, incident.use_case), on=incident.use_case)
        incoming = ReportedSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reported_at = incoming.validated_data["reported_at"]
        return self._answer(incident_mark_reported(incident=incident, actor=request.user, reported_at=reported_at))

    @extend_schema(request=IncidentSuspendSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: AuthenticatedRequest, pk: str) -> Response:
        incident = self._get(pk)
        refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
        incoming = IncidentSuspendSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["reason"]
        return self._answer(incident_suspend(incident=incident, actor=request.user, reason=reason))

    @extend_schema(request=None, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="link-demotion")
    def link_demotion(self, request: AuthenticatedRequest, pk: str) -> Response:
        incident = self._get(pk)
        refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
        return self._answer(incident_link_demotion(incident=incident, actor=request.user))

    @extend_schema(request=IncidentBlockingSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def blocking(self, request: AuthenticatedRequest, pk: str) -> Response:
        incident = self._get(pk)
        refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
        incoming = IncidentBlockingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        blocking = incoming.validated_data["blocking"]
        return self._answer(incident_blocking_set(incident=incident, actor=request.user, blocking=blocking))

    @extend_schema(request=IncidentCloseSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: str) -> Response:
        incident = self._get(pk)
        refuse_if_forbidden(incident_close_refusal(request.user, incident.use_case), on=incident.use_case)
        incoming = IncidentCloseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        closed = incident_close(
            incident=incident,
            actor=request.user,
            root_cause=data["root_cause"],
            corrective_actions=data["corrective_actions"],
        )
        return self._answer(closed)
