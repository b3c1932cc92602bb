"""Exceptions to gate requirements over the API: list, read, grant and withdraw (a second-line lead's own token)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.models import TokenScope
from core.params import id_param
from governance.access import (
    exception_grant_refusal,
    exception_withdraw_refusal,
    exceptions_visible_to,
    get_exception_for_user,
)
from governance.api.serializers import ExceptionGrantSerializer, ReasonSerializer, RequirementExceptionSerializer
from governance.filters import ExceptionFilterSet
from governance.models import RequirementException
from governance.services.exceptions import exception_grant, exception_withdraw
from lifecycle.access import get_use_case_for_user
from signoff.access import AUDITORS_CHANGE_NOTHING, refuse_if_forbidden


class RequirementExceptionViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = RequirementExceptionSerializer
    queryset = RequirementException.objects.none()  # for the schema; reads go through the access functions
    filterset_class = ExceptionFilterSet
    http_method_names = ["get", "post", "head", "options"]
    # Granting and withdrawing are a person's decisions: a token needs the people-only `review` scope.
    token_scopes = {"POST": [TokenScope.REVIEW.value]}

    def get_queryset(self):
        return exceptions_visible_to(self.request.user).select_related("use_case", "granted_by", "withdrawn_by")

    def _get(self, pk: str) -> RequirementException:
        if (exception_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such exception.")
        return get_exception_for_user(self.request.user, exception_id)

    def _answer(self, obj: RequirementException, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            RequirementExceptionSerializer(get_exception_for_user(self.request.user, obj.pk)).data, status=code
        )

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._answer(self._get(pk))

    @extend_schema(request=ExceptionGrantSerializer, responses={201: RequirementExceptionSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        if request.user.is_auditor or not request.user.has_any_role:
            raise exceptions.PermissionDenied(
                AUDITORS_CHANGE_NOTHING if request.user.is_auditor else "Accounts without a role grant no exceptions."
            )
        incoming = ExceptionGrantSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        use_case = get_use_case_for_user(request.user, data["use_case"])
        refuse_if_forbidden(exception_grant_refusal(request.user, use_case), on=use_case)
        granted = exception_grant(
            use_case=use_case,
            actor=request.user,
            requirement_key=data["requirement_key"],
            reason=data["reason"],
            compensating_controls=data["compensating_controls"],
            expires_on=data["expires_on"],
        )
        return self._answer(granted, status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=RequirementExceptionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str) -> Response:
        obj = self._get(pk)
        refuse_if_forbidden(exception_withdraw_refusal(request.user, obj.use_case), on=obj.use_case)
        incoming = ReasonSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._answer(
            exception_withdraw(exception=obj, actor=request.user, reason=incoming.validated_data["reason"])
        )
