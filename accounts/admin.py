"""People, functions and tokens in Django's admin.

Who belongs to which review function decides who may sign for it, so every
change to a membership or a role made here is written to the audit trail, in
the same transaction as the change.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.http import signed_in_user
from accounts.models import ApiToken, FunctionMembership, ReviewFunction, User
from audit.services import Verb, audit_record


def _membership_state(membership: FunctionMembership) -> dict:
    return {"function": membership.function.key, "user": membership.user.username, "is_lead": membership.is_lead}


def membership_audit(*, actor: User, membership: FunctionMembership, action: str, before: dict | None) -> None:
    """One MEMBERSHIP_CHANGED event: added, changed (with before/after) or removed."""
    after = None if action == "removed" else _membership_state(membership)
    audit_record(
        actor=actor,
        verb=Verb.MEMBERSHIP_CHANGED,
        obj=membership.user,
        changes={"action": action, "before": before, "after": after},
    )


def _previous_state(membership: FunctionMembership) -> dict | None:
    if membership.pk is None:
        return None
    previous = FunctionMembership.objects.select_related("function", "user").filter(pk=membership.pk).first()
    return _membership_state(previous) if previous else None


class MembershipAuditMixin(admin.ModelAdmin):
    """Audits memberships edited through an inline of the parent's page."""

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not FunctionMembership:
            super().save_formset(request, form, formset, change)
            return
        with transaction.atomic():
            befores = {f.instance.pk: _previous_state(f.instance) for f in formset.forms if f.instance.pk}
            removed = [(f.instance, _membership_state(f.instance)) for f in formset.deleted_forms if f.instance.pk]
            super().save_formset(request, form, formset, change)
            actor = signed_in_user(request)
            for membership, before in removed:
                membership_audit(actor=actor, membership=membership, action="removed", before=before)
            for membership in formset.new_objects:
                membership_audit(actor=actor, membership=membership, action="added", before=None)
            for membership, _fields in formset.changed_objects:
                membership_audit(
                    actor=actor, membership=membership, action="changed", before=befores.get(membership.pk)
                )


class FunctionMembershipInline(admin.TabularInline):
    model = FunctionMembership
    extra = 0
    autocomplete_fields = ["user"]


class UserMembershipInline(admin.TabularInline):
    model = FunctionMembership
    fk_name = "user"
    extra = 0
    verbose_name = "review function membership"


@admin.register(User)
class UserAdmin(MembershipAuditMixin, DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Notifications", {"fields": ("email_mode",)}),
    )
    list_display = ["username", "get_full_name", "email", "roles", "is_active", "is_superuser", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser", "memberships__function"]
    inlines = [UserMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, user: User) -> str:
        return ", ".join(sorted(g.name for g in user.groups.all())) or "—"

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # Roles are group memberships: a role change is a permission change, so it is audited too.
        user = form.instance
        before = sorted(user.groups.values_list("name", flat=True)) if change else []
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            after = sorted(user.groups.values_list("name", flat=True))
            if before != after:
                audit_record(
                    actor=signed_in_user(request),
                    verb=Verb.MEMBERSHIP_CHANGED,
                    obj=user,
                    changes={"action": "roles", "before": before, "after": after},
                )


@admin.register(ReviewFunction)
class ReviewFunctionAdmin(MembershipAuditMixin, admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [FunctionMembershipInline]


@admin.register(FunctionMembership)
class FunctionMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "function", "is_lead"]
    list_filter = ["function", "is_lead"]
    list_select_related = ["user", "function"]
    autocomplete_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: FunctionMembership, form, change: bool) -> None:
        with transaction.atomic():
            before = _previous_state(obj) if change else None
            super().save_model(request, obj, form, change)
            membership_audit(
                actor=signed_in_user(request), membership=obj, action="changed" if change else "added", before=before
            )

    def delete_model(self, request: HttpRequest, obj: FunctionMembership) -> None:
        with transaction.atomic():
            before = _membership_state(obj)
            super().delete_model(request, obj)
            membership_audit(actor=signed_in_user(request), membership=obj, action="removed", before=before)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FunctionMembership]) -> None:
        with transaction.atomic():
            for membership in queryset.select_related("function", "user"):
                self.delete_model(request, membership)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py issue_token` (the key is shown once); here they are seen and revoked."""

    list_display = ["key_prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "key_prefix"]
    readonly_fields = ["user", "name", "key_hash", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        with transaction.atomic():
            for token in queryset.select_for_update().filter(revoked_at__isnull=True).select_related("user"):
                token.revoked_at = timezone.now()
                token.save(update_fields=["revoked_at"])
                audit_record(
                    actor=signed_in_user(request),
                    verb=Verb.PERMISSION_REVOKED,
                    obj=token.user,
                    changes={"token": token.key_prefix, "name": token.name},
                )
                count += 1
        self.message_user(request, f"Revoked {count} token{'s' if count != 1 else ''}.", messages.SUCCESS)
