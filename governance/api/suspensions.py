"""Suspension over the API: whether a use case is suspended, suspending it, lifting it (second-line leads)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.authentication import token_scopes
from accounts.http import signed_in_user
from accounts.models import TokenScope
from governance.access import lift_refusal, suspend_refusal
from governance.api.serializers import ReasonSerializer, SuspensionSerializer, SuspensionStateSerializer
from governance.models import Suspension
from governance.services import suspension_lift, use_case_suspend
from lifecycle.access import get_use_case_for_user
from lifecycle.models import UseCase
from signoff.access import refuse_if_forbidden

# Suspending and lifting are a person's decisions: a token needs the people-only `review` scope.
DECIDE: dict[str, list[str]] = {"POST": [TokenScope.REVIEW]}


def _state(use_case: UseCase) -> dict:
    history = list(Suspension.objects.filter(use_case=use_case).select_related("use_case", "suspended_by", "lifted_by"))
    current = next((s for s in history if s.is_active), None)
    return SuspensionStateSerializer({"suspended": current is not None, "current": current, "history": history}).data


@extend_schema(
    methods=["GET"],
    summary="Whether the use case is suspended, and its suspensions",
    responses=SuspensionStateSerializer,
)
@extend_schema(
    methods=["POST"],
    summary="Suspend the use case: the run gate denies at once (a lead of a review function)",
    request=ReasonSerializer,
    responses={201: SuspensionSerializer},
)
@token_scopes({"GET": [TokenScope.READ, TokenScope.GATE], **DECIDE})
@api_view(["GET", "POST"])
def suspension(request: Request, slug: str) -> Response:
    user = signed_in_user(request)
    use_case = get_use_case_for_user(user, slug)
    if request.method == "GET":
        return Response(_state(use_case))
    refuse_if_forbidden(suspend_refusal(user, use_case), on=use_case)
    incoming = ReasonSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    made = use_case_suspend(use_case=use_case, actor=user, reason=incoming.validated_data["reason"])
    return Response(SuspensionSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Lift the use case's suspension (a lead of a review function)",
    request=ReasonSerializer,
    responses=SuspensionSerializer,
)
@token_scopes(DECIDE)
@api_view(["POST"])
def suspension_lift_api(request: Request, slug: str) -> Response:
    user = signed_in_user(request)
    use_case = get_use_case_for_user(user, slug)
    refuse_if_forbidden(lift_refusal(user, use_case), on=use_case)
    incoming = ReasonSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    lifted = suspension_lift(use_case=use_case, actor=user, reason=incoming.validated_data["reason"])
    return Response(SuspensionSerializer(lifted).data)
