"""Administrators register webhook endpoints here, see their secrets, deliveries and every attempt.

Endpoints hold signing secrets and send the portal's news out of it, so these pages are for portal
administrators only, whatever Django permissions a staff account holds. Every write goes through
webhooks/services/endpoints.py, which checks the address and audits the change.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from accounts.http import signed_in_user
from core.admin import ReadOnlyAdminMixin
from webhooks.models import SUBSCRIBABLE_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_ping,
    webhook_endpoint_update,
)
from webhooks.targets import target_refusal


class PortalAdminsOnly:
    """Django's own permission check, and the portal's: the account must be an administrator."""

    def _portal_admin(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_portal_admin", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._portal_admin(request) and super().has_module_permission(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._portal_admin(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._portal_admin(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._portal_admin(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._portal_admin(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(t.value, t.label) for t in SUBSCRIBABLE_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Tick none to receive every event.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        url = cleaned.get("url")
        # As the service decides it: a new or changed address, or one being switched on, is checked now.
        adding = self.instance.pk is None
        switched_on = bool(cleaned.get("is_active")) and not self.initial.get("is_active", True)
        checked = adding or "url" in self.changed_data or switched_on
        if url and checked and (refusal := target_refusal(url)) is not None:
            self.add_error("url", refusal)
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(PortalAdminsOnly, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["__str__", "url", "status", "subscribed", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = [
        "secret",
        "consecutive_failures",
        "disabled_at",
        "disabled_reason",
        "delivery_log",
        "created_by",
        "created_at",
    ]
    fieldsets = (
        (None, {"fields": ["url", "description", "events", "is_active"]}),
        (
            "Signing",
            {
                "fields": ["secret"],
                "description": "Receivers verify each event's webhook-signature header with this secret "
                "(Standard Webhooks; e.g. standardwebhooks.Webhook(secret).verify(body, headers)).",
            },
        ),
        ("Health", {"fields": ["consecutive_failures", "disabled_at", "disabled_reason", "delivery_log"]}),
        ("Record", {"fields": ["created_by", "created_at"]}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        # The secret, health and record exist only once the endpoint does.
        return self.fieldsets if obj is not None else (self.fieldsets[0],)

    @admin.display(description="Status")
    def status(self, endpoint: WebhookEndpoint) -> str:
        if endpoint.is_active:
            return "Enabled"
        return f"Disabled: {endpoint.disabled_reason}" if endpoint.disabled_reason else "Disabled"

    @admin.display(description="Events")
    def subscribed(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events) or "every event"

    @admin.display(description="Deliveries")
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        counts = (
            WebhookDelivery.objects.filter(endpoint=endpoint).values("state").annotate(n=Count("id")).order_by("state")
        )
        link = reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        summary = ", ".join(f"{row['n']} {row['state']}" for row in counts) or "none yet"
        return format_html('<a href="{}">{}</a>', link, summary)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: forms.ModelForm, change: bool) -> None:
        actor = signed_in_user(request)
        data = form.cleaned_data
        if change:
            webhook_endpoint_update(
                endpoint=obj,
                actor=actor,
                url=data["url"],
                description=data.get("description", ""),
                events=data.get("events", []),
                is_active=data.get("is_active", obj.is_active),
            )
            obj.refresh_from_db()
            return
        created = webhook_endpoint_create(
            actor=actor,
            url=data["url"],
            description=data.get("description", ""),
            events=data.get("events", []),
            is_active=data.get("is_active", True),
        )
        # The admin goes on with `obj` (its log entry, the redirect): make it the row just created.
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: str | None = None) -> Any:
        # Straight to the endpoint's page: the secret the receiver needs is shown there.
        messages.info(request, "Give the receiver the signing secret below; it verifies every event with it.")
        return HttpResponseRedirect(reverse("admin:webhooks_webhookendpoint_change", args=[obj.pk]))

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        webhook_endpoint_delete(endpoint=obj, actor=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            self.delete_model(request, endpoint)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        endpoint = self.get_object(request, object_id)
        if request.method == "GET" and endpoint is not None and not endpoint.is_active:
            messages.warning(
                request,
                f"This endpoint is disabled and receives no events. {endpoint.disabled_reason}".strip(),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/enable/", view(self.enable_view), name="webhooks_webhookendpoint_enable"),
            path("<int:pk>/ping/", view(self.ping_view), name="webhooks_webhookendpoint_ping"),
        ]
        return own + super().get_urls()

    def _endpoint_for_action(self, request: HttpRequest, pk: int) -> WebhookEndpoint:
        endpoint = self.get_object(request, str(pk))
        if endpoint is None or not self.has_change_permission(request, endpoint):
            raise PermissionDenied("Only administrators manage webhook endpoints.")
        return endpoint

    def enable_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = self._endpoint_for_action(request, pk)
        try:
            webhook_endpoint_enable(endpoint=endpoint, actor=signed_in_user(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The endpoint is enabled again; its failure count starts from zero.")
        return redirect("admin:webhooks_webhookendpoint_change", endpoint.pk)

    def ping_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = self._endpoint_for_action(request, pk)
        event = webhook_endpoint_ping(endpoint=endpoint, actor=signed_in_user(request))
        messages.success(request, f"Test ping {event.id} queued; the endpoint's deliveries show what it answered.")
        return redirect("admin:webhooks_webhookendpoint_change", endpoint.pk)


ATTEMPT_FIELDS = ("number", "started_at", "status_code", "error", "duration_ms")
DELIVERY_FIELDS = (
    "event_id",
    "event_type",
    "endpoint",
    "state",
    "attempts",
    "next_attempt_at",
    "finished_at",
    "created_at",
    "payload",
)


class WebhookAttemptInline(PortalAdminsOnly, ReadOnlyAdminMixin, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = readonly_fields = ATTEMPT_FIELDS
    verbose_name_plural = "attempts"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(PortalAdminsOnly, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: deliveries change only by being attempted."""

    list_display = ["event_id", "event_type", "endpoint", "state", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["state", "event__type", "endpoint"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__id"]
    inlines = [WebhookAttemptInline]
    fields = readonly_fields = DELIVERY_FIELDS

    @admin.display(description="Event type", ordering="event__type")
    def event_type(self, delivery: WebhookDelivery) -> str:
        return delivery.event.type

    @admin.display(description="Payload")
    def payload(self, delivery: WebhookDelivery) -> str:
        text = json.dumps(delivery.event.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)
