"""The audit trail in Django's admin: read-only. The database refuses changes anyway."""

from django.contrib import admin

from audit.models import AuditChainHead, AuditEvent
from core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "verb", "object_repr", "ip_address"]
    list_filter = ["verb"]
    search_fields = ["actor_label", "verb", "object_repr", "object_id"]
    date_hierarchy = "created_at"


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash"]
