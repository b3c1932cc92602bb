"""Webhooks out: the endpoints administrators register, the events sent to them, and every attempt.

An event is written once, in the transaction of the change it announces; it has one delivery per endpoint
that wanted it, and each delivery one attempt row per try. The delivery's state moves by conditional
UPDATEs (webhooks/services/deliver.py), not by a state machine on the instance: two workers holding the
same task must not both send, and only the database can say which of them claimed the row.
"""

from __future__ import annotations

import base64
import secrets
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

SECRET_PREFIX = "whsec_"
# Standard Webhooks asks for 24 to 64 random bytes; 32 is what Svix issues.
SECRET_BYTES = 32


def secret_generate() -> str:
    """A new signing secret in the Standard Webhooks form receivers' libraries accept: whsec_<base64>."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def event_id_new() -> str:
    """The event's id, sent as `webhook-id`: the same on every retry, so receivers deduplicate on it."""
    return f"msg_{uuid.uuid4().hex}"


class EventType(models.TextChoices):
    REQUEST_SUBMITTED = "request.submitted", "Readiness request submitted (or resubmitted)"
    REQUEST_DECIDED = "request.decided", "Readiness request approved or rejected"
    USE_CASE_STAGE_CHANGED = "use_case.stage_changed", "Use case changed stage"
    USE_CASE_SUSPENDED = "use_case.suspended", "Use case suspended"
    PACKET_ISSUED = "packet.issued", "Sign-off packet issued"
    # Sent only by an administrator's "send test ping", to one endpoint, whatever it subscribes to.
    TEST = "webhook.test", "Test ping"


SUBSCRIBABLE_TYPES = [t for t in EventType if t != EventType.TEST]


class WebhookEndpoint(models.Model):
    """A URL that receives signed events. Changed only through webhooks/services/endpoints.py (audited)."""

    url = models.URLField(max_length=500, verbose_name="URL")
    secret = models.CharField(max_length=100, default=secret_generate, editable=False)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(
        default=list, blank=True, help_text="The event types this endpoint receives; none ticked means every one."
    )
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries abandoned in a row since the last success."
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.description or self.url

    def subscribes_to(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookEvent(models.Model):
    """One announced change, written once; its payload never holds evidence contents."""

    id = models.CharField(primary_key=True, max_length=40, default=event_id_new, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices, db_index=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook event"

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    # The last attempt failed and another is due at next_attempt_at.
    FAILED = "failed", "Failed, will retry"
    SUCCEEDED = "succeeded", "Succeeded"
    # No more attempts: the last one failed, or the endpoint was disabled meanwhile.
    ABANDONED = "abandoned", "Abandoned"


OPEN_DELIVERY_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


class WebhookDelivery(models.Model):
    """One event to one endpoint, tried until a 2xx or the last attempt."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set by the worker that claimed the delivery, until when it may take to finish the attempt; another
    # worker (a redelivered task, the catch-up) leaves the row alone until then.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhookdelivery_once_per_endpoint"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhookdelivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_DELIVERY_STATES


class WebhookAttempt(models.Model):
    """One try of a delivery: when, what came back (or why nothing did), how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = "webhook attempt"
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error
