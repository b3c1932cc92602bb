"""Use cases by slug: list, read, register, edit, demote, retire.

Same access helpers and services as the pages. A service's ValidationError
becomes a 400 with field messages through the one road (audit/refusals.py);
refusals are 403/404 and change nothing.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from core.parsers import StrictJSONParser
from lifecycle.access import get_use_case_for_user, use_case_may_create
from lifecycle.api.serializers import (
    DemoteSerializer,
    RetireSerializer,
    UseCaseCreatedSerializer,
    UseCaseSerializer,
    UseCaseWriteSerializer,
)
from lifecycle.filters import UseCaseFilterSet
from lifecycle.models import (
    UseCase,
)
from lifecycle.selectors import (
    use_cases_for_list,
    use_cases_resembling,
)
from lifecycle.services import (
    EDITABLE_FIELDS,
    use_case_create,
    use_case_demote,
    use_case_retire,
    use_case_update,
)

FLOWS = {
    "stage": "the stage changes through readiness requests, demotion and retirement",
    "risk_tier": "the tier comes from the risk classification",
    "internal_tier": "the tier comes from the risk classification",
    "revalidation_due": "the review date follows from approvals",
    "current_version": "the running version follows from approvals",
    "rollback_version": "the rollback version follows from approvals",
}


def _not_editable(name: str) -> str:
    if name in FLOWS:
        return f"Not set here: {FLOWS[name]}."
    return f"A use case has no field {name!r} that can be changed."


@extend_schema_view(
    list=extend_schema(summary="Use cases visible to you"),
    retrieve=extend_schema(summary="One use case by slug"),
    create=extend_schema(
        summary="Register a use case",
        description="Registers at once; `resembling` lists use cases already registered with a close title.",
        request=UseCaseWriteSerializer,
        responses={201: UseCaseCreatedSerializer},
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
        # A pipeline cannot tick "register anyway", so it is told after the fact rather than refused.
        resembling = use_cases_resembling(request.user, title=data["title"])
        use_case = use_case_create(
            actor=request.user,
            slug=data.pop("slug", ""),
            title=data.pop("title"),
            purpose=data.pop("purpose"),
            technical_owner=data.pop("technical_owner", None),
            **data,
        )
        created = UseCaseCreatedSerializer(
            use_case, context={**self.get_serializer_context(), "resembling": resembling}
        )
        return Response(created.data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        if not hasattr(request.data, "keys"):
            raise exceptions.ValidationError({"non_field_errors": ["Send an object of the fields to change."]})
        if "slug" in request.data:
            raise exceptions.ValidationError({"slug": "The slug never changes after creation."})
        # Refused by name, never silently dropped: a client that thinks it set a field must hear that it did not.
        if refused := sorted(set(request.data) - set(EDITABLE_FIELDS)):
            raise exceptions.ValidationError({name: [_not_editable(name)] for name in refused})
        incoming = UseCaseWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = {k: v for k, v in incoming.validated_data.items() if k in EDITABLE_FIELDS}
        use_case = use_case_update(use_case=use_case, actor=request.user, **fields)
        return Response(self.get_serializer(use_case).data)

    @extend_schema(request=DemoteSerializer, responses={200: UseCaseSerializer}, summary="Demote to a lower stage")
    @action(detail=True, methods=["post"])
    def demote(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_demotion=True)
        incoming = DemoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        use_case_demote(
            use_case=use_case,
            actor=request.user,
            to_stage=incoming.validated_data["to_stage"],
            reason=incoming.validated_data["reason"],
        )
        return Response(self.get_serializer(get_use_case_for_user(request.user, slug)).data)

    @extend_schema(request=RetireSerializer, responses={200: UseCaseSerializer}, summary="Retire for good")
    @action(detail=True, methods=["post"])
    def retire(self, request: AuthenticatedRequest, slug: str) -> Response:
        use_case = get_use_case_for_user(request.user, slug, for_change=True)
        incoming = RetireSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        use_case_retire(use_case=use_case, actor=request.user, reason=incoming.validated_data["reason"])
        return Response(self.get_serializer(get_use_case_for_user(request.user, slug)).data)
