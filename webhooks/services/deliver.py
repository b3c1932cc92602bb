"""Delivering: one attempt at a time, claimed so that no two workers send the same delivery at once.

Celery acknowledges tasks late, so a task whose worker died is delivered again, and the catch-up may
queue a delivery whose own task is still waiting. Every attempt therefore starts by claiming the row
with one conditional UPDATE (open, due, and not claimed by a worker still inside its time); whoever
updates no row does nothing. The claim lasts the attempt's whole time limit and a margin, and the send
happens outside any transaction, so a slow receiver holds no database lock.

Delivery is at least once: a worker that dies after the receiver answered but before the attempt is
recorded leaves the delivery to be tried again when its claim runs out. The event id, sent as
`webhook-id`, is the same on every attempt, and receivers deduplicate on it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import Verb, audit_record
from core.tasks import enqueue
from webhooks.models import (
    OPEN_DELIVERY_STATES,
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.sending import SendResult, body_encode, webhook_post
from webhooks.tasks import deliver_webhook

# Beyond the attempt's own time limit: DNS resolution, and recording the attempt.
CLAIM_MARGIN = timedelta(seconds=60)
# The catch-up leaves a delivery this long past its time to the task already scheduled for it.
CATCH_UP_GRACE = timedelta(seconds=60)
ERROR_MAX_LENGTH = 2000
DISABLED_NOT_SENT = "Not sent: the endpoint is disabled."


def backoff_seconds(attempt: int) -> float:
    """How long after failed attempt number `attempt` the next one is made: BASE, 2×BASE, 4×BASE, ..."""
    return float(settings.WEBHOOK_BACKOFF_BASE_SECONDS) * 2 ** (attempt - 1)


def _claimable(now: datetime) -> Q:
    return Q(state__in=OPEN_DELIVERY_STATES, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    claim_until = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS) + CLAIM_MARGIN
    # The attempt is counted when claimed, so a worker that dies mid-attempt still uses one up.
    claimed = WebhookDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
        claimed_until=claim_until, attempts=F("attempts") + 1
    )
    return claimed == 1


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookAttempt | None:
    """Make the next attempt of a delivery, if it is due and nobody else is making it; the attempt made."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint, event = delivery.endpoint, delivery.event
    # A test ping is how an administrator checks a disabled endpoint before re-enabling it.
    if not endpoint.is_active and event.type != EventType.TEST:
        return _record(delivery, SendResult(started_at=now, duration_ms=0, error=DISABLED_NOT_SENT), final=True)
    body = body_encode(event_type=event.type, created_at=event.created_at, payload=event.payload)
    result = webhook_post(url=endpoint.url, secret=endpoint.secret, msg_id=event.id, body=body)
    return _record(delivery, result, final=event.type == EventType.TEST)


def _record(delivery: WebhookDelivery, result: SendResult, *, final: bool) -> WebhookAttempt:
    """Log the attempt and move the delivery on: succeeded, to its next attempt, or abandoned."""
    now = timezone.now()
    counts = delivery.event.type != EventType.TEST and result.error != DISABLED_NOT_SENT
    with transaction.atomic():
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=result.started_at,
            status_code=result.status_code,
            error=result.error[:ERROR_MAX_LENGTH],
            duration_ms=result.duration_ms,
        )
        mine = WebhookDelivery.objects.filter(pk=delivery.pk, state__in=OPEN_DELIVERY_STATES)
        if result.ok:
            mine.update(state=DeliveryState.SUCCEEDED, claimed_until=None, finished_at=now)
            if counts:
                WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, consecutive_failures__gt=0).update(
                    consecutive_failures=0
                )
        elif not final and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            wait = backoff_seconds(delivery.attempts)
            mine.update(state=DeliveryState.FAILED, claimed_until=None, next_attempt_at=now + timedelta(seconds=wait))
            transaction.on_commit(partial(enqueue, deliver_webhook, delivery.pk, countdown=wait))
        else:
            mine.update(state=DeliveryState.ABANDONED, claimed_until=None, finished_at=now)
            if counts:
                _endpoint_failed(delivery.endpoint_id, result, now)
    return attempt


def _endpoint_failed(endpoint_id: int, last: SendResult, now: datetime) -> None:
    """One more delivery abandoned in a row; at the limit the endpoint is disabled, saying why."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if limit <= 0:
        return
    # The receiver's own words stay in the attempt log; the reason (and so the audit trail) keeps the status.
    cause = f"HTTP {last.status_code}" if last.status_code is not None else last.error[:300]
    reason = (
        f"Disabled automatically: the last {limit} deliveries in a row failed on every attempt "
        f"(the last one: {cause}). Fix the receiver, send a test ping, then re-enable the endpoint."
    )
    disabled = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True, consecutive_failures__gte=limit).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    )
    if disabled:
        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        audit_record(
            actor=None,
            actor_label="system",
            verb=Verb.WEBHOOK_ENDPOINT_DISABLED,
            obj=endpoint,
            changes={
                "is_active": [True, False],
                "consecutive_failures": endpoint.consecutive_failures,
                "reason": reason,
            },
        )


def webhook_deliveries_due(*, limit: int = 500) -> list[int]:
    """Open deliveries whose attempt is overdue and unclaimed: their task was lost or never sent."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(_claimable(now), next_attempt_at__lte=now - CATCH_UP_GRACE)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
