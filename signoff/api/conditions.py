"""Conditions of approval over the API: list, read, mark met (with a note and/or a file), accept, return, waive."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.http import AuthenticatedRequest
from accounts.models import ApiToken, ReviewFunction, TokenScope, User
from core.params import id_param
from lifecycle.models import UseCase
from signoff import access, condition_access, services
from signoff.filters import ConditionFilterSet
from signoff.models import ReviewCondition
from signoff.selectors import conditions_for_list


def _user_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)


class ConditionDetailSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    request = serializers.IntegerField(source="review.request_id", read_only=True)
    function: serializers.SlugRelatedField[ReviewFunction] = serializers.SlugRelatedField(
        source="review.function", slug_field="key", read_only=True
    )
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)
    marked_met_by = _user_field()
    closed_by = _user_field()
    evidence_file = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCondition
        fields = [
            "id",
            "url",
            "use_case",
            "request",
            "function",
            "text",
            "owner",
            "due_date",
            "blocking",
            "status",
            "created_at",
            "marked_met_by",
            "marked_met_at",
            "evidence_note",
            "evidence_file",
            "evidence_name",
            "evidence_sha256",
            "return_note",
            "closed_by",
            "closed_at",
            "closing_note",
            "actions",
        ]
        read_only_fields = fields

    def get_url(self, obj: ReviewCondition) -> str:
        return reverse("condition-detail", args=[obj.pk], request=self.context.get("request"))

    def get_evidence_file(self, obj: ReviewCondition) -> str | None:
        """Where to download the evidence file, when there is one."""
        if not obj.evidence_file:
            return None
        return self.context["request"].build_absolute_uri(reverse("signoff:condition-evidence", args=[obj.pk]))

    def get_actions(self, obj: ReviewCondition) -> list[str]:
        return condition_access.condition_actions(self.context["request"].user, obj)


class ConditionMetSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    file = serializers.FileField(required=False, help_text="Evidence file (multipart/form-data).")


class ConditionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")


class ConditionWaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=10_000)


def _person_only(request: AuthenticatedRequest) -> None:
    """Judging a condition is a reviewer's act: a token without the review scope never does it."""
    token = request.auth
    if isinstance(token, ApiToken) and TokenScope.REVIEW not in token.scopes:
        raise PermissionDenied("Accepting, returning or waiving a condition needs a token with the review scope.")


class ConditionViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    # Marking met is the owner's (a pipeline may push its evidence); judging it is checked in the action.
    token_scopes = {"POST": [TokenScope.PUSH, TokenScope.REVIEW]}
    serializer_class = ConditionDetailSerializer
    queryset = ReviewCondition.objects.none()  # for the schema; reads go through the access helpers
    filterset_class = ConditionFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return conditions_for_list(user=self.request.user)

    def _get(self, pk: str) -> ReviewCondition:
        if (condition_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such condition.")
        return condition_access.get_condition_for_user(self.request.user, condition_id)

    def _detail(self, condition: ReviewCondition) -> Response:
        condition = condition_access.get_condition_for_user(self.request.user, condition.pk)
        return Response(ConditionDetailSerializer(condition, context=self.get_serializer_context()).data)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(request=ConditionMetSerializer, responses=ConditionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-met")
    def mark_met(self, request: AuthenticatedRequest, pk: str) -> Response:
        condition = self._get(pk)
        access.refuse_if_forbidden(condition_access.condition_mark_met_refusal(request.user, condition), on=condition)
        incoming = ConditionMetSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._detail(
            services.condition_mark_met(
                condition=condition, actor=request.user, note=data["note"], file=data.get("file")
            )
        )

    @extend_schema(request=ConditionNoteSerializer, responses=ConditionDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str) -> Response:
        _person_only(request)
        condition = self._get(pk)
        access.refuse_if_forbidden(condition_access.condition_accept_refusal(request.user, condition), on=condition)
        incoming = ConditionNoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        note = incoming.validated_data["note"]
        return self._detail(services.condition_accept(condition=condition, actor=request.user, note=note))

    @extend_schema(request=ConditionNoteSerializer, responses=ConditionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: AuthenticatedRequest, pk: str) -> Response:
        _person_only(request)
        condition = self._get(pk)
        access.refuse_if_forbidden(condition_access.condition_return_refusal(request.user, condition), on=condition)
        incoming = ConditionNoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        note = incoming.validated_data["note"]
        return self._detail(services.condition_return(condition=condition, actor=request.user, note=note))

    @extend_schema(request=ConditionWaiveSerializer, responses=ConditionDetailSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request: AuthenticatedRequest, pk: str) -> Response:
        _person_only(request)
        condition = self._get(pk)
        access.refuse_if_forbidden(condition_access.condition_waive_refusal(request.user, condition), on=condition)
        incoming = ConditionWaiveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["reason"]
        return self._detail(services.condition_waive(condition=condition, actor=request.user, reason=reason))
