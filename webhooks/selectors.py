"""Reads of the webhooks app used outside it."""

from __future__ import annotations

from django.db.models import QuerySet

from webhooks.models import WebhookEndpoint


def webhook_endpoints_disabled() -> QuerySet[WebhookEndpoint]:
    """Endpoints that receive nothing until an administrator acts, most recently disabled first."""
    return WebhookEndpoint.objects.filter(is_active=False).order_by("-disabled_at", "-id")
