"""Risk classification over the API: the questionnaire, and assessments answered against it."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.models import ApiToken, TokenScope
from lifecycle.access import classification_change_decide_refusal, get_use_case_for_user
from lifecycle.api.serializers import (
    ClassificationDecisionSerializer,
    RiskAssessmentCreateSerializer,
    RiskAssessmentSerializer,
)
from lifecycle.models import RiskAssessment
from lifecycle.questionnaire import questionnaire_load
from lifecycle.selectors import assessments_of
from lifecycle.services import classification_change_decide, risk_assessment_record


class RiskAssessmentViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = RiskAssessmentSerializer
    pagination_class = None
    queryset = RiskAssessment.objects.none()  # for the schema; reads go through the access helpers

    @extend_schema(summary="Risk assessments, newest (current) first", responses=RiskAssessmentSerializer(many=True))
    def list(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        return Response(RiskAssessmentSerializer(assessments_of(use_case), many=True).data)

    @extend_schema(
        summary="Answer the EU AI Act questionnaire; the result becomes the use case's classification",
        request=RiskAssessmentCreateSerializer,
        responses={201: RiskAssessmentSerializer},
    )
    def create(self, request: AuthenticatedRequest, slug: str) -> Response:
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

    @extend_schema(
        summary="The risk function approves or rejects a change that lowers the tier",
        request=ClassificationDecisionSerializer,
        responses=RiskAssessmentSerializer,
    )
    def decide(self, request: AuthenticatedRequest, slug: str, pk: int) -> Response:
        use_case = get_use_case_for_user(request.user, slug)
        assessment = RiskAssessment.objects.filter(use_case=use_case, pk=pk).first()
        if assessment is None:
            raise exceptions.NotFound("No such risk assessment.")
        if refusal := classification_change_decide_refusal(request.user, assessment):
            raise PermissionDenied(refusal)
        if isinstance(request.auth, ApiToken) and TokenScope.REVIEW not in request.auth.scopes:
            raise PermissionDenied("Deciding a change of classification needs a token with the review scope.")
        incoming = ClassificationDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        decided = classification_change_decide(
            assessment=assessment, actor=request.user, approve=data["approve"], note=data["note"]
        )
        return Response(RiskAssessmentSerializer(decided).data)


@extend_schema(
    operation_id="questionnaire",
    summary="The classification questionnaire the risk-assessment endpoint takes answers to",
    responses={200: OpenApiTypes.OBJECT},
    tags=["use-cases"],
)
@api_view(["GET"])
def questionnaire(request: Request) -> Response:
    loaded = questionnaire_load()
    return Response(
        {
            "version": loaded.version,
            "title": loaded.title,
            "source": loaded.source,
            "checked_on": loaded.checked_on,
            "questions": [asdict(q) for q in loaded.questions],
            "areas": [asdict(a) for a in loaded.areas],
        }
    )
