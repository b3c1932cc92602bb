"""People, functions and tokens in Django's admin.

Who belongs to which review function decides who may sign for it: every change
of a membership, a role, a flag or a password made here is written to the audit
trail by accounts/signals.py, as it is when made anywhere else.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.http import signed_in_user
from accounts.models import ApiToken, FunctionMembership, ReviewFunction, User
from accounts.services.people import user_deactivate
from accounts.services.tokens import api_token_revoke


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
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Notifications", {"fields": ("email_mode",)}),
    )
    list_display = ["username", "get_full_name", "email", "roles", "is_active", "is_superuser", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser", "memberships__function"]
    inlines = [UserMembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # Unticking "active" is a deactivation, with all that follows: sessions, tokens, reviews held.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            user_deactivate(user=obj, actor=signed_in_user(request), reason="deactivated by an administrator")
            obj.is_active = False

    @admin.display(description="Roles")
    def roles(self, user: User) -> str:
        return ", ".join(sorted(g.name for g in user.groups.all())) or "—"


@admin.register(ReviewFunction)
class ReviewFunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
    inlines = [FunctionMembershipInline]


@admin.register(FunctionMembership)
class FunctionMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "function", "is_lead"]
    list_filter = ["function", "is_lead"]
    list_select_related = ["user", "function"]
    autocomplete_fields = ["user"]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FunctionMembership]) -> None:
        # One by one, so each removal is audited (accounts/signals.py); a bulk delete sends no per-row signal.
        with transaction.atomic():
            for membership in queryset.select_related("function", "user"):
                membership.delete()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on the token page or with `manage.py issue_token` (the key is shown once); here they are
    seen and revoked."""

    list_display = ["key_prefix", "user", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "key_prefix"]
    readonly_fields = [
        "user",
        "name",
        "key_hash",
        "key_prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = signed_in_user(request)
        with transaction.atomic():
            count = sum(api_token_revoke(token=token, actor=actor) for token in queryset.order_by("pk"))
        self.message_user(request, f"Revoked {count} token{'s' if count != 1 else ''}.", messages.SUCCESS)
