"""Findings over the API: list, read, raise; remediate (the owner); validate closed or reopen (the second line)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.models import TokenScope, User
from core.params import id_param
from governance.access import (
    finding_raise_refusal,
    finding_remediate_refusal,
    finding_validate_refusal,
    findings_visible_to,
    get_finding_for_user,
)
from governance.api.serializers import (
    FindingCreateSerializer,
    FindingRemediateSerializer,
    FindingSerializer,
    FindingValidateSerializer,
    ReasonSerializer,
)
from governance.filters import FindingFilterSet
from governance.models import Finding
from governance.services import finding_raise, finding_remediate, finding_reopen, finding_validate
from lifecycle.access import get_use_case_for_user
from lifecycle.models import Artifact, ModelVersion
from signoff.access import AUDITORS_CHANGE_NOTHING, refuse_if_forbidden

# Validating a closure is the second line's decision: a person's token with the `review` scope.
SECOND_LINE_ACTIONS = {"validate", "reopen"}


class FindingViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = FindingSerializer
    queryset = Finding.objects.none()  # for the schema; reads go through the access functions
    filterset_class = FindingFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @property
    def token_scopes(self) -> dict[str, list[str]]:
        return {"POST": [TokenScope.REVIEW]} if getattr(self, "action", None) in SECOND_LINE_ACTIONS else {}

    def get_queryset(self):
        return findings_visible_to(self.request.user).select_related(
            "use_case", "owner", "raised_by", "validated_by", "version", "closure_evidence"
        )

    def _get(self, pk: str) -> Finding:
        if (finding_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such finding.")
        return get_finding_for_user(self.request.user, finding_id)

    def _answer(self, finding: Finding, code: int = status.HTTP_200_OK) -> Response:
        return Response(FindingSerializer(get_finding_for_user(self.request.user, finding.pk)).data, status=code)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._answer(self._get(pk))

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        if request.user.is_auditor or not request.user.has_any_role:
            # Whatever the body says, these accounts never raise a finding.
            raise exceptions.PermissionDenied(
                AUDITORS_CHANGE_NOTHING if request.user.is_auditor else "Accounts without a role raise no findings."
            )
        incoming = FindingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        use_case = get_use_case_for_user(request.user, data["use_case"])
        refuse_if_forbidden(finding_raise_refusal(request.user, use_case), on=use_case)
        owner = None
        if username := data.get("owner"):
            owner = User.objects.filter(username=username, pk__in=use_case.owner_ids).first()
            if owner is None:
                raise exceptions.ValidationError({"owner": f"{username} is not an owner of this use case."})
        version = None
        if label := data.get("version"):
            version = ModelVersion.objects.filter(use_case=use_case, label=label).first()
            if version is None:
                raise exceptions.ValidationError({"version": f"This use case has no version {label}."})
        finding = finding_raise(
            use_case=use_case,
            actor=request.user,
            source=data["source"],
            severity=data["severity"],
            title=data["title"],
            description=data["description"],
            due_date=data["due_date"],
            owner=owner,
            version=version,
        )
        return self._answer(finding, status.HTTP_201_CREATED)

    @extend_schema(request=FindingRemediateSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def remediate(self, request: AuthenticatedRequest, pk: str) -> Response:
        finding = self._get(pk)
        refuse_if_forbidden(finding_remediate_refusal(request.user, finding), on=finding.use_case)
        incoming = FindingRemediateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        evidence = None
        if (artifact_id := incoming.validated_data.get("closure_evidence")) is not None:
            evidence = Artifact.objects.filter(pk=artifact_id, use_case_id=finding.use_case_id).first()
            if evidence is None:
                raise exceptions.ValidationError({"closure_evidence": "No such artifact of this use case."})
        notes = incoming.validated_data["remediation_notes"]
        return self._answer(finding_remediate(finding=finding, actor=request.user, notes=notes, evidence=evidence))

    @extend_schema(request=FindingValidateSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: AuthenticatedRequest, pk: str) -> Response:
        finding = self._get(pk)
        refuse_if_forbidden(finding_validate_refusal(request.user, finding), on=finding.use_case)
        incoming = FindingValidateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = incoming.validated_data["comment"]
        return self._answer(finding_validate(finding=finding, actor=request.user, comment=comment))

    @extend_schema(request=ReasonSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: AuthenticatedRequest, pk: str) -> Response:
        finding = self._get(pk)
        refuse_if_forbidden(finding_validate_refusal(request.user, finding), on=finding.use_case)
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["reason"]
        return self._answer(finding_reopen(finding=finding, actor=request.user, reason=reason))
