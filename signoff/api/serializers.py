"""What the sign-off API reads and writes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from accounts.models import ReviewFunction, User
from lifecycle.models import HIGHEST_STAGE, ModelVersion, UseCase
from signoff import access
from signoff.gates import gate_evaluate, policy_for_request
from signoff.models import Decision, ReadinessRequest, Review, ReviewCondition
from signoff.selectors import conditions_open_on, reviews_of_request


class ConditionSerializer(serializers.ModelSerializer):
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReviewCondition
        fields = ["id", "text", "owner", "due_date", "blocking", "status"]
        read_only_fields = fields


class DecisionField(serializers.ChoiceField):
    """A review's decision, or null while it has none (the column holds "" then)."""

    def to_representation(self, value: Any) -> Any:
        return value or None


class ReviewSerializer(serializers.ModelSerializer):
    function: serializers.SlugRelatedField[ReviewFunction] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    assignee: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decision = DecisionField(choices=Decision.choices, read_only=True, allow_null=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    request: serializers.PrimaryKeyRelatedField[ReadinessRequest] = serializers.PrimaryKeyRelatedField(read_only=True)
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
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version: serializers.SlugRelatedField[ModelVersion] = serializers.SlugRelatedField(
        slug_field="label", read_only=True
    )
    submitted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
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
    owner_accepted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviews = serializers.SerializerMethodField()
    open_conditions = serializers.SerializerMethodField()
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
            "open_conditions",
            "gate",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(ConditionSerializer(many=True))
    def get_open_conditions(self, obj: ReadinessRequest) -> list[dict]:
        """Every condition of the use case's approvals not yet closed: they carry into this request."""
        return ConditionSerializer(conditions_open_on(use_case=obj.use_case), many=True).data  # type: ignore[return-value]

    def get_reviews(self, obj: ReadinessRequest) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list; the stubs keep the ReturnDict of one.
        return ReviewSerializer(reviews_of_request(request=obj), many=True, context=self.context).data  # type: ignore[return-value]

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
    target_stage = serializers.IntegerField(
        min_value=1,
        max_value=int(HIGHEST_STAGE),
        help_text="The next stage (a promotion), or the current one (a new version, or the periodic review).",
    )
    version = serializers.CharField(
        max_length=50, required=False, allow_blank=True, help_text="The version's label; the newest if not given."
    )
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
    blocking = serializers.BooleanField(
        required=False, default=False, help_text="Once overdue past the policy's grace, the run gate denies."
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000, default="")
    conditions = ConditionInputSerializer(many=True, required=False, default=list)
