from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter

from accounts.http import AuthenticatedRequest
from audit.models import AuditEvent
from portal.audit_forms import AuditFilterForm
from portal.audit_trail import audit_events_filtered, audit_trail_check

extra_urlpatterns: list = []


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor",
            "verb",
            "object_type",
            "object_id",
            "object_repr",
            "use_case_id",
            "request_id",
            "changes",
            "ip_address",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("use_case", str, description="Use case slug."),
            OpenApiParameter("actor", str, description="Username of the actor."),
            OpenApiParameter("verb", str, description="Event verb, e.g. request.approved."),
            OpenApiParameter("since", OpenApiTypes.DATE, description="On or after this day."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="On or before this day."),
            OpenApiParameter("request", int, description="Readiness request id."),
        ]
    )
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first, for auditors and administrators. Read-only: events are never changed."""

    request: AuthenticatedRequest
    serializer_class = AuditEventSerializer
    lookup_field = "seq"
    lookup_value_regex = "[0-9]+"
    queryset = AuditEvent.objects.none()

    def get_queryset(self):
        audit_trail_check(self.request.user)
        if self.action != "list":
            return AuditEvent.objects.order_by("-seq")
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return audit_events_filtered(filters=form.filters())


def register(router: DefaultRouter) -> None:
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
