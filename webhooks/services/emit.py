"""Announcing an event: stored in the caller's transaction, delivered by Celery once it commits."""

from __future__ import annotations

import json
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core.tasks import enqueue
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.tasks import deliver_webhook


def _deliver_after_commit(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        enqueue(deliver_webhook, delivery_id)


def webhook_event_store(*, type: str, payload: dict, endpoints: list[WebhookEndpoint]) -> WebhookEvent:
    """Write the event and one delivery per endpoint; each is handed to a worker after commit."""
    # Round-tripped now, so a payload that is not plain JSON fails the caller's action here rather
    # than every delivery later, and the stored payload is exactly what will be sent.
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    with transaction.atomic():
        event = WebhookEvent.objects.create(type=type, payload=payload)
        due = event.created_at
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=due) for endpoint in endpoints]
        )
        # A rolled-back change announces nothing: the rows go with it and the tasks are never sent.
        transaction.on_commit(partial(_deliver_after_commit, [d.pk for d in deliveries if d.pk]))
    return event


def _subscribers(type: str) -> list[WebhookEndpoint]:
    if type not in EventType.values or type == EventType.TEST:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    # Few endpoints, and a JSON list the databases query differently: filtered here rather than in SQL.
    return [e for e in WebhookEndpoint.objects.filter(is_active=True).order_by("id") if e.subscribes_to(type)]


def webhook_wanted(*, type: str) -> bool:
    """Whether any active endpoint receives this type: callers skip building a payload nobody gets."""
    return bool(_subscribers(type))


def webhook_emit(*, type: str, payload: dict) -> WebhookEvent | None:
    """Announce an event to every active endpoint that subscribes to it. Call inside the change's transaction.

    Returns the stored event, or None when no endpoint wants it: nothing is stored then, since the
    audit trail already records the change and an event nobody receives would only fill a table.
    """
    endpoints = _subscribers(type)
    if not endpoints:
        return None
    return webhook_event_store(type=type, payload=payload, endpoints=endpoints)
