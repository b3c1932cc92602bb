"""Deliveries run by the real Celery worker on Redis, reading committed rows from PostgreSQL."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from django.db import connection, transaction
from standardwebhooks.webhooks import Webhook

from portal.celery import app as celery_app
from tests.broker import on_real_services, wait_for
from webhooks.models import DeliveryState, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import webhook_delivery_attempt, webhook_emit, webhook_endpoint_create
from webhooks.tasks import deliver_webhook

PAYLOAD = {"use_case": {"slug": "credit-scoring", "stage": 3}, "stage_change": {"from_stage": 2, "to_stage": 3}}


def _waiting_delivery(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A delivery whose task the broker never got: rows only, as an outage at commit would leave them."""
    event = WebhookEvent.objects.create(type=EventType.PACKET_ISSUED, payload=PAYLOAD)
    return WebhookDelivery.objects.create(event=event, endpoint=endpoint)


def _succeeded() -> bool:
    return WebhookDelivery.objects.filter(state=DeliveryState.SUCCEEDED).exists()


@on_real_services
@pytest.mark.usefixtures("worker")
def test_the_worker_delivers_after_commit_and_the_signature_verifies(endpoint, receiver):
    assert not celery_app.conf.task_always_eager
    with transaction.atomic():
        event = webhook_emit(type=EventType.USE_CASE_STAGE_CHANGED, payload=PAYLOAD)
        time.sleep(0.5)
        # Not before the commit: the worker could not even see the rows yet.
        assert receiver.requests() == []
    [got] = receiver.wait_for(1)
    body = Webhook(endpoint.secret).verify(got["body"], got["headers"])
    assert body["type"] == "use_case.stage_changed" and body["data"] == PAYLOAD
    assert got["headers"]["webhook-id"] == event.id
    wait_for(_succeeded)


@on_real_services
@pytest.mark.usefixtures("worker")
def test_the_worker_retries_with_backoff_until_the_receiver_answers(loopback_allowed, admin_user, start_receiver):
    loopback_allowed.WEBHOOK_BACKOFF_BASE_SECONDS = 0.5
    receiver = start_receiver(fail_first=2)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)
    with transaction.atomic():
        event = webhook_emit(type=EventType.REQUEST_DECIDED, payload=PAYLOAD)
    wait_for(_succeeded)
    got = receiver.requests()
    assert [g["headers"]["webhook-id"] for g in got] == [event.id] * 3
    attempts = list(WebhookAttempt.objects.order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 500), (3, 204)]
    # 0.5 s, then 1 s: the second wait is the longer.
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.5 and gaps[1] >= 1.0
    Webhook(endpoint.secret).verify(got[-1]["body"], got[-1]["headers"])


@on_real_services
@pytest.mark.usefixtures("worker")
def test_with_the_worker_a_rolled_back_event_is_never_sent(endpoint, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit(type=EventType.REQUEST_SUBMITTED, payload=PAYLOAD)
        raise RuntimeError("the submission failed")
    # Something committed afterwards is delivered: by then the rolled-back one would have been too.
    with transaction.atomic():
        later = webhook_emit(type=EventType.PACKET_ISSUED, payload=PAYLOAD)
    receiver.wait_for(1)
    time.sleep(0.5)
    assert [g["headers"]["webhook-id"] for g in receiver.requests()] == [later.id]


@on_real_services
@pytest.mark.usefixtures("worker")
def test_a_task_the_broker_hands_out_three_times_sends_once(loopback_allowed, start_receiver, admin_user):
    slow = start_receiver(delay=1)
    delivery = _waiting_delivery(webhook_endpoint_create(actor=admin_user, url=slow.url))
    for _ in range(3):
        deliver_webhook.delay(delivery.pk)
    wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).state == DeliveryState.SUCCEEDED)
    time.sleep(1.5)
    assert len(slow.requests()) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_racing_on_one_delivery_send_it_once(loopback_allowed, start_receiver, admin_user):
    slow = start_receiver(delay=1)
    delivery = _waiting_delivery(webhook_endpoint_create(actor=admin_user, url=slow.url))
    start = threading.Barrier(4)
    made: list[int | None] = []

    def worker() -> None:
        try:
            start.wait()
            attempt = webhook_delivery_attempt(delivery_id=delivery.pk)
            made.append(attempt.number if attempt is not None else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(made, key=lambda n: n is None) == [1, None, None, None]
    assert len(slow.requests()) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 1)
