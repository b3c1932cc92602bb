"""What running governance's API answers and accepts."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from governance.models import Suspension
from lifecycle.models import UseCase


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class SuspensionSerializer(serializers.ModelSerializer):
    use_case: serializers.SlugRelatedField[UseCase] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    suspended_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    lifted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Suspension
        fields = [
            "id",
            "use_case",
            "active",
            "reason",
            "cause",
            "suspended_by",
            "suspended_at",
            "lifted_by",
            "lifted_at",
            "lift_reason",
        ]
        read_only_fields = fields


class SuspensionStateSerializer(serializers.Serializer):
    suspended = serializers.BooleanField()
    current = SuspensionSerializer(allow_null=True)
    history = SuspensionSerializer(many=True, help_text="Every suspension, newest first, the current one included.")
