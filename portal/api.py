from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from accounts.http import AuthenticatedRequest
from audit.models import AuditEvent
from portal.audit_trail import audit_events_readable
from portal.filters import AuditEventFilterSet

extra_urlpatterns: list = []


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "created_at",
            "actor_id",
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
            "canonical",
        ]
        read_only_fields = fields


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first, for auditors and administrators. Read-only: events are never changed."""

    request: AuthenticatedRequest
    serializer_class = AuditEventSerializer
    lookup_field = "seq"
    lookup_value_regex = "[0-9]+"
    queryset = AuditEvent.objects.none()
    filterset_class = AuditEventFilterSet

    def get_queryset(self):
        return audit_events_readable(self.request.user)


def register(router: DefaultRouter) -> None:
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
