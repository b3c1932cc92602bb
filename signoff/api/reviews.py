"""Reviews over the API: list, read, claim, assign, hand over, decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.models import TokenScope
from core.params import id_param
from signoff import access, services
from signoff.api.serializers import (
    AssignSerializer,
    DecisionSerializer,
    HandOverSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
)
from signoff.filters import ReviewFilterSet
from signoff.models import Review
from signoff.selectors import reviews_for_list


class ReviewViewSet(viewsets.GenericViewSet):
    request: AuthenticatedRequest
    # Taking, assigning, handing over and deciding are a person's: a pipeline's token never does them.
    token_scopes = {"POST": [TokenScope.REVIEW]}
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # for the schema; reads go through the access helpers
    filterset_class = ReviewFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return reviews_for_list(user=self.request.user)

    def _get(self, pk: str) -> Review:
        if (review_id := id_param(pk)) is None:
            raise exceptions.NotFound("No such review.")
        return access.get_review_for_user(self.request.user, review_id)

    def _detail(self, review: Review) -> Response:
        review = access.get_review_for_user(self.request.user, review.pk)
        return Response(ReviewDetailSerializer(review, context=self.get_serializer_context()).data)

    def list(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses=ReviewDetailSerializer)
    def retrieve(self, request: AuthenticatedRequest, pk: str) -> Response:
        return self._detail(self._get(pk))

    @extend_schema(request=None, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request: AuthenticatedRequest, pk: str) -> Response:
        review = self._get(pk)
        access.refuse_if_forbidden(access.review_claim_refusal(request.user, review), on=review)
        return self._detail(services.review_claim(review=review, actor=request.user))

    @extend_schema(request=AssignSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: AuthenticatedRequest, pk: str) -> Response:
        review = self._get(pk)
        access.refuse_if_forbidden(access.review_assign_refusal(request.user, review), on=review)
        incoming = AssignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assignee = incoming.validated_data["assignee"]
        return self._detail(services.review_assign(review=review, actor=request.user, assignee=assignee))

    @extend_schema(request=HandOverSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request: AuthenticatedRequest, pk: str) -> Response:
        review = self._get(pk)
        access.refuse_if_forbidden(access.review_hand_over_refusal(request.user, review), on=review)
        incoming = HandOverSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        return self._detail(
            services.review_hand_over(review=review, actor=request.user, to=data["to"], note=data["note"])
        )

    @extend_schema(request=DecisionSerializer, responses=ReviewDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedRequest, pk: str) -> Response:
        review = self._get(pk)
        access.refuse_if_forbidden(access.review_decide_refusal(request.user, review), on=review)
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        conditions = [
            services.ConditionInput(text=c["text"], owner=c["owner"], due_date=c["due_date"], blocking=c["blocking"])
            for c in data["conditions"]
        ]
        decided = services.review_decide(
            review=review,
            actor=request.user,
            decision=data["decision"],
            comment=data["comment"],
            conditions=conditions,
        )
        return self._detail(decided)
