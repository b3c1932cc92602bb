"""Readiness requests over the API: list, read, create (and submit), submit, resubmit, withdraw, accept."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from core.params import id_param
from lifecycle.access import get_use_case_for_user
from lifecycle.models import ModelVersion
from signoff import access, services
from signoff.api.serializers import (
    ReadinessRequestDetailSerializer,
    ReadinessRequestSerializer,
    RequestCreateSerializer,
    WithdrawSerializer,
)
from signoff.filters import ReadinessRequestFilterSet
from signoff.gates import policy_for_request
from signoff.models import ReadinessRequest
from signoff.selectors import requests_for_list


class ReadinessRequestViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    serializer_class = ReadinessRequestSerializer
    queryset = ReadinessRequest.objects.none()  # for the schema; reads go through the access helpers
    filterset_class = ReadinessRequestFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return requests_for_list(user=self.request.user)

    def _get(self, pk: str) -> ReadinessRequest:
        if (request_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such readiness request.")
        return access.get_request_for_user(self.request.user, request_id)

    def _detail(self, obj: ReadinessRequest, code: int = status.HTTP_200_OK) -> Response:
        obj = access.get_request_for_user(self.request.user, obj.pk)
        return Response(ReadinessRequestDetailSerializer(obj, context=self.get_serializer_context()).data, status=code)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ReadinessRequestDetailSerializer)
    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(request=RequestCreateSerializer, responses={201: ReadinessRequestDetailSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        if request.user.is_auditor or not request.user.has_any_role:
            # Whatever the body says, these accounts never ask for promotion.
            raise exceptions.PermissionDenied(
                access.AUDITORS_CHANGE_NOTHING
                if request.user.is_auditor
                else "Only a use case's owners ask to promote it."
            )
        incoming = RequestCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        use_case = get_use_case_for_user(request.user, data["use_case"])
        access.refuse_if_forbidden(access.request_create_refusal(request.user, use_case), on=use_case)
        version = None
        if label := data.get("version"):
            version = ModelVersion.objects.filter(use_case=use_case, label=label).first()
            if version is None:
                raise exceptions.ValidationError({"version": f"This use case has no version {label}."})
        # Create-and-submit is all or nothing: a refused submission leaves no draft behind.
        with transaction.atomic():
            created = services.readiness_request_create(
                use_case=use_case,
                actor=request.user,
                target_stage=data["target_stage"],
                justification=data["justification"],
                version=version,
            )
            if data["submit"]:
                services.readiness_request_submit(request=created, actor=request.user)
        return self._detail(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: AuthenticatedRequest, pk: str) -> Response:
        obj = self._get(pk)
        access.refuse_if_forbidden(access.request_submit_refusal(request.user, obj), on=obj)
        return self._detail(services.readiness_request_submit(request=obj, actor=request.user))

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: AuthenticatedRequest, pk: str) -> Response:
        obj = self._get(pk)
        access.refuse_if_forbidden(access.request_resubmit_refusal(request.user, obj), on=obj)
        return self._detail(services.readiness_request_resubmit(request=obj, actor=request.user))

    @extend_schema(request=WithdrawSerializer, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str) -> Response:
        obj = self._get(pk)
        access.refuse_if_forbidden(access.request_withdraw_refusal(request.user, obj), on=obj)
        incoming = WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["reason"]
        return self._detail(services.readiness_request_withdraw(request=obj, actor=request.user, reason=reason))

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str) -> Response:
        """The business owner's acceptance, where the gate asks for it."""
        obj = self._get(pk)
        spec = policy_for_request(obj)
        needs = bool(spec and spec.requires_owner_acceptance)
        access.refuse_if_forbidden(
            access.request_accept_refusal(request.user, obj, policy_needs_acceptance=needs), on=obj
        )
        return self._detail(services.readiness_request_accept_as_owner(request=obj, actor=request.user))
