"""Sign-off over the REST API: readiness requests, reviews and their decisions, and the pipeline gate.

The same access helpers and services as the pages. Service ValidationErrors
become 400s with their messages; refusals are 403 (or 404 where the thing may
not be seen) and change nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import DefaultRouter

from accounts.models import User
from core.params import id_param, int_param
from lifecycle.access import get_use_case_for_user
from lifecycle.api import raise_as_400
from lifecycle.models import HIGHEST_STAGE, Stage
from signoff import access, packet_api, services
from signoff.gates import Mode, gate_evaluate, policy_for_request
from signoff.models import Decision, ReadinessRequest, RequestState, Review, ReviewCondition, ReviewState
from signoff.selectors import QueueScope, requests_list, reviews_of_request

GATE_STAGES = [s.value for s in Stage.active()]


def _call(write):
    """Run a service; its refusals become the API's 400 and 403."""
    try:
        return write()
    except DjangoValidationError as exc:
        raise_as_400(exc)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or "You may not do that.") from None


def _refuse_if_forbidden(refusal: access.Refusal | None) -> None:
    if refusal is not None and refusal.forbidden:
        raise exceptions.PermissionDenied(refusal.reason)


# Serializers --------------------------------------------------------------------------


class ConditionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReviewCondition
        fields = ["id", "text", "owner", "due_date", "status"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    function = serializers.SlugRelatedField(slug_field="key", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    request = serializers.PrimaryKeyRelatedField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "url",
            "request",
            "function",
            "revision",
            "state",
            "assignee",
            "due_date",
            "decision",
            "comment",
            "conditions",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_url(self, obj: Review) -> str:
        return reverse("review-detail", args=[obj.pk], request=self.context.get("request"))


class ReviewDetailSerializer(ReviewSerializer):
    actions = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, obj: Review) -> list[str]:
        return access.review_actions(self.context["request"].user, obj) if obj.is_open else []


class ReadinessRequestSerializer(serializers.ModelSerializer):
    use_case = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.SlugRelatedField(slug_field="label", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ReadinessRequest
        fields = [
            "id",
            "url",
            "use_case",
            "version",
            "from_stage",
            "target_stage",
            "state",
            "revision",
            "justification",
            "submitted_by",
            "created_at",
            "submitted_at",
            "decided_at",
            "snapshot_hash",
        ]
        read_only_fields = fields

    def get_url(self, obj: ReadinessRequest) -> str:
        return reverse("readinessrequest-detail", args=[obj.pk], request=self.context.get("request"))


class ReadinessRequestDetailSerializer(ReadinessRequestSerializer):
    owner_accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviews = serializers.SerializerMethodField()
    gate = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(ReadinessRequestSerializer.Meta):
        fields = [
            *ReadinessRequestSerializer.Meta.fields,
            "policy_snapshot",
            "evidence_snapshot",
            "approval_gate_result",
            "owner_accepted_by",
            "owner_accepted_at",
            "reviews",
            "gate",
            "actions",
        ]
        read_only_fields = fields

    def get_reviews(self, obj: ReadinessRequest) -> list[dict]:
        return ReviewSerializer(reviews_of_request(request=obj), many=True, context=self.context).data

    def get_gate(self, obj: ReadinessRequest) -> dict:
        return gate_evaluate(
            use_case=obj.use_case, target_stage=obj.target_stage, request=obj, version=obj.version
        ).as_api()

    def get_actions(self, obj: ReadinessRequest) -> list[str]:
        spec = policy_for_request(obj)
        return access.request_actions(
            self.context["request"].user, obj, policy_needs_acceptance=bool(spec and spec.requires_owner_acceptance)
        )


class RequestCreateSerializer(serializers.Serializer):
    use_case = serializers.SlugField(help_text="The use case's slug.")
    target_stage = serializers.IntegerField(min_value=1, max_value=int(HIGHEST_STAGE))
    justification = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    submit = serializers.BooleanField(required=False, default=False, help_text="Submit at once after creating.")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


def _member_field(help_text: str) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), help_text=help_text
    )


class AssignSerializer(serializers.Serializer):
    assignee = _member_field("Username of a member of the review's function.")


class HandOverSerializer(serializers.Serializer):
    to = _member_field("Username of another member of the review's function.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ConditionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    owner = _member_field("Username of the person who must meet the condition.")
    due_date = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    conditions = ConditionInputSerializer(many=True, required=False, default=list)


# Readiness requests ------------------------------------------------------------------------


class ReadinessRequestViewSet(viewsets.GenericViewSet):
    serializer_class = ReadinessRequestSerializer
    queryset = ReadinessRequest.objects.none()  # for the schema; reads go through the access helpers
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        state = params.get("state", "")
        stage = params.get("stage", "")
        return requests_list(
            user=self.request.user,
            query=params.get("q", ""),
            state=state if state in RequestState.values else "",
            stage=int_param(stage, high=max(Stage.values)),
            function=params.get("function", ""),
        )

    def _get(self, pk: str) -> ReadinessRequest:
        if (request_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such readiness request.")
        return access.get_request_for_user(self.request.user, request_id)

    def _detail(self, obj: ReadinessRequest, code: int = status.HTTP_200_OK) -> Response:
        obj = access.get_request_for_user(self.request.user, obj.pk)
        return Response(ReadinessRequestDetailSerializer(obj, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search use case title or slug."),
            OpenApiParameter("state", OpenApiTypes.STR, enum=RequestState.values),
            OpenApiParameter("stage", OpenApiTypes.INT, description="Target stage."),
            OpenApiParameter("function", OpenApiTypes.STR, description="Reviewed by this function (key)."),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ReadinessRequestDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(request=RequestCreateSerializer, responses={201: ReadinessRequestDetailSerializer})
    def create(self, request: Request) -> Response:
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
        _refuse_if_forbidden(access.request_create_refusal(request.user, use_case))
        # Create-and-submit is all or nothing: a refused submission leaves no draft behind.
        with transaction.atomic():
            created = _call(
                lambda: services.readiness_request_create(
                    use_case=use_case,
                    actor=request.user,
                    target_stage=data["target_stage"],
                    justification=data["justification"],
                )
            )
            if data["submit"]:
                _call(lambda: services.readiness_request_submit(request=created, actor=request.user))
        return self._detail(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        obj = self._get(pk)
        _refuse_if_forbidden(access.request_submit_refusal(request.user, obj))
        return self._detail(_call(lambda: services.readiness_request_submit(request=obj, actor=request.user)))

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: str) -> Response:
        obj = self._get(pk)
        _refuse_if_forbidden(access.request_resubmit_refusal(request.user, obj))
        return self._detail(_call(lambda: services.readiness_request_resubmit(request=obj, actor=request.user)))

    @extend_schema(request=WithdrawSerializer, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        obj = self._get(pk)
        _refuse_if_forbidden(access.request_withdraw_refusal(request.user, obj))
        incoming = WithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reason = incoming.validated_data["reason"]
        return self._detail(
            _call(lambda: services.readiness_request_withdraw(request=obj, actor=request.user, reason=reason))
        )

    @extend_schema(request=None, responses=ReadinessRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The business owner's acceptance, where the gate asks for it."""
        obj = self._get(pk)
        spec = policy_for_request(obj)
        needs = bool(spec and spec.requires_owner_acceptance)
        _refuse_if_forbidden(access.request_accept_refusal(request.user, obj, policy_needs_acceptance=needs))
        return self._detail(_call(lambda: services.readiness_request_accept_as_owner(request=obj, actor=request.user)))


# Reviews -----------------------------------------------------------------------------------


class ReviewViewSet(viewsets.GenericViewSet):
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema; reads go through the access helpers
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        qs = (
            access.reviews_visible_to(self.request.user)
            .select_related("function", "assignee", "decided_by")
            .prefetch_related("conditions__owner")
        )
        if function := params.get("function"):
            qs = qs.filter(function__key=function)
        if (state := params.get("state")) in ReviewState.values:
            qs = qs.filter(state=state)
        if (request_id := id_param(params.get("request"))) is not None:
            qs = qs.filter(request_id=request_id)
        scope = params.get("scope", QueueScope.ALL)
        if scope == QueueScope.MINE:
            qs = qs.filter(assignee=self.request.user)
        elif scope == QueueScope.UNASSIGNED:
            qs = qs.filter(assignee__isnull=True)
        return qs.order_by("due_date", "id")

    def _get(self, pk: str) -> Review:
        if (review_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such review.")
        return access.get_review_for_user(self.request.user, review_id)

    def _detail(self, review: Review) -> Response:
        review = access.get_review_for_user(self.request.user, review.pk)
        return Response(ReviewDetailSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("function", OpenApiTypes.STR, description="Function key, e.g. risk."),
            OpenApiParameter("state", OpenApiTypes.STR, enum=ReviewState.values),
            OpenApiParameter("request", OpenApiTypes.INT, description="Readiness request id."),
            OpenApiParameter("scope", OpenApiTypes.STR, enum=list(QueueScope.CHOICES)),
        ]
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ReviewDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        review = self._get(pk)
        _refuse_if_forbidden(access.review_claim_refusal(request.user, review))
        return self._detail(_call(lambda: services.review_claim(review=review, actor=request.user)))

    @extend_schema(request=AssignSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        review = self._get(pk)
        _refuse_if_forbidden(access.review_assign_refusal(request.user, review))
        incoming = AssignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assignee = incoming.validated_data["assignee"]
        return self._detail(_call(lambda: services.review_assign(review=review, actor=request.user, assignee=assignee)))

    @extend_schema(request=HandOverSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: Request, pk: str) -> Response:
        review = self._get(pk)
        _refuse_if_forbidden(access.review_hand_over_refusal(request.user, review))
        incoming = HandOverSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._detail(
            _call(
                lambda: services.review_hand_over(review=review, actor=request.user, to=data["to"], note=data["note"])
            )
        )

    @extend_schema(request=DecisionSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        review = self._get(pk)
        refusal = access.review_decide_refusal(request.user, review)
        if refusal is not None and refusal.forbidden:
            decision = request.data.get("decision", "") if hasattr(request.data, "get") else ""
            services.review_decision_refusal_record(
                review=review, actor=request.user, decision=str(decision), reason=refusal.reason
            )
            raise exceptions.PermissionDenied(refusal.reason)
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        conditions = [
            services.ConditionInput(text=c["text"], owner=c["owner"], due_date=c["due_date"])
            for c in data["conditions"]
        ]
        decided = _call(
            lambda: services.review_decide(
                review=review,
                actor=request.user,
                decision=data["decision"],
                comment=data["comment"],
                conditions=conditions,
            )
        )
        return self._detail(decided)


# The pipeline gate ---------------------------------------------------------------------------


@extend_schema(
    operation_id="use_case_gate",
    parameters=[
        OpenApiParameter(
            "stage",
            OpenApiTypes.INT,
            required=True,
            description=f"The stage to run at ({GATE_STAGES[0]}-{HIGHEST_STAGE}).",
        )
    ],
    responses={
        200: inline_serializer(
            "GateAnswer",
            {
                "allowed": serializers.BooleanField(),
                "stage": serializers.IntegerField(),
                "requirements": serializers.ListField(
                    child=inline_serializer(
                        "GateRequirement",
                        {
                            "key": serializers.CharField(),
                            "met": serializers.BooleanField(),
                            "detail": serializers.CharField(),
                        },
                    )
                ),
            },
        )
    },
    tags=["use-cases"],
)
@api_view(["GET"])
def use_case_gate(request: Request, slug: str) -> Response:
    """May this use case run at `stage`? The deployment pipeline's question, answered by the one gate evaluator."""
    raw = request.query_params.get("stage")
    if raw is None or raw == "":
        raise exceptions.ValidationError({"stage": "Give the stage to check, e.g. ?stage=3."})
    try:
        stage = int(raw)
    except ValueError:
        raise exceptions.ValidationError({"stage": f"The stage must be a whole number, not {raw[:20]!r}."}) from None
    if stage not in GATE_STAGES:
        raise exceptions.ValidationError({"stage": f"The stage must be between 0 and {int(HIGHEST_STAGE)}."})
    use_case = get_use_case_for_user(request.user, slug)
    return Response(gate_evaluate(use_case=use_case, target_stage=stage, mode=Mode.RUN).as_api())


extra_urlpatterns: list = [
    path("use-cases/<slug:slug>/gate/", use_case_gate, name="use-case-gate"),
]


def register(router: DefaultRouter) -> None:
    router.register("readiness-requests", ReadinessRequestViewSet, basename="readinessrequest")
    router.register("reviews", ReviewViewSet, basename="review")
    packet_api.register(router)
