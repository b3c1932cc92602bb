"""Delivery to a real receiver process: signed, retried with backoff, logged, abandoned, disabling, refused.

Tasks run eagerly here (the worker on Redis is in test_delivery_worker.py); committing is what
django_capture_on_commit_callbacks(execute=True) stands for, and what runs the tasks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from audit.models import AuditEvent
from audit.services import Verb
from tests import IN_CI
from webhooks.models import DeliveryState, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint, secret_generate
from webhooks.services import webhook_delivery_attempt, webhook_emit, webhook_endpoint_create, webhook_endpoint_ping
from webhooks.tasks import deliver_due_webhooks, deliver_webhook

PAYLOAD = {"request": {"id": 7, "state": "submitted"}, "use_case": {"slug": "credit-scoring", "stage": 2}}


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs what the transaction would run once committed (the delivery tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _emit(commit, type: str = EventType.REQUEST_SUBMITTED):
    with commit():
        return webhook_emit(type=type, payload=PAYLOAD)


def _attempts(delivery: WebhookDelivery) -> list[tuple[int, int | None, str]]:
    return [(a.number, a.status_code, a.error) for a in WebhookAttempt.objects.filter(delivery=delivery)]


def test_the_receiver_gets_the_event_signed_as_standard_webhooks(endpoint, receiver, commit):
    event = _emit(commit)
    [got] = receiver.wait_for(1)
    headers = got["headers"]
    # What the receiver's own library checks: the signature over id, timestamp and body, under the secret.
    assert Webhook(endpoint.secret).verify(got["body"], headers) == {
        "type": "request.submitted",
        "timestamp": event.created_at.isoformat(),
        "data": PAYLOAD,
    }
    assert headers["webhook-id"] == event.id and event.id.startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - timezone.now().timestamp()) < 30
    assert headers["Content-Type"] == "application/json"
    assert got["path"] == "/hooks/stagegate"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret_generate()).verify(got["body"], headers)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.finished_at is not None) == (DeliveryState.SUCCEEDED, 1, True)
    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 204, "")
    assert 0 <= attempt.duration_ms < 5000


def test_a_receiver_failing_twice_gets_the_event_once_on_the_third_attempt(
    loopback_allowed, admin_user, start_receiver, commit
):
    receiver = start_receiver(fail_first=2)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)
    event = _emit(commit)
    got = receiver.wait_for(3)
    assert len(got) == 3
    # One event: the same id and the same body each time, which is what the receiver deduplicates on.
    assert {g["headers"]["webhook-id"] for g in got} == {event.id}
    assert len({g["body"] for g in got}) == 1
    for g in got:
        Webhook(endpoint.secret).verify(g["body"], g["headers"])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 3)
    assert _attempts(delivery) == [
        (1, 500, "HTTP 500: receiver told to fail"),
        (2, 500, "HTTP 500: receiver told to fail"),
        (3, 204, ""),
    ]
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.is_active


def test_retries_back_off_exponentially(settings):
    from webhooks.services import backoff_seconds

    settings.WEBHOOK_BACKOFF_BASE_SECONDS = 30
    assert [backoff_seconds(n) for n in range(1, 6)] == [30, 60, 120, 240, 480]


def test_a_failed_attempt_waits_for_its_retry_time(loopback_allowed, admin_user, start_receiver, commit):
    loopback_allowed.WEBHOOK_BACKOFF_BASE_SECONDS = 60
    receiver = start_receiver(fail_first=5)
    webhook_endpoint_create(actor=admin_user, url=receiver.url)
    before = timezone.now()
    _emit(commit)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.claimed_until) == (DeliveryState.FAILED, 1, None)
    assert 59 <= (delivery.next_attempt_at - before).total_seconds() <= 70
    # The retry handed to the broker (run at once here) found it not yet due and sent nothing.
    assert deliver_webhook(delivery.pk) is None
    assert len(receiver.requests()) == 1


def test_after_the_last_attempt_the_delivery_is_abandoned(loopback_allowed, admin_user, start_receiver, commit):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 3
    receiver = start_receiver(fail_first=100)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)
    _emit(commit)
    assert len(receiver.wait_for(3)) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.ABANDONED, 3)
    assert [n for n, _, _ in _attempts(delivery)] == [1, 2, 3]
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.is_active) == (1, True)


def test_an_endpoint_failing_delivery_after_delivery_is_disabled_saying_why(
    loopback_allowed, admin_user, start_receiver, commit
):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 2
    loopback_allowed.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver = start_receiver(fail_first=100)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)
    for n in range(3):
        _emit(commit)
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == n + 1
        assert endpoint.is_active == (n < 2)
    assert endpoint.disabled_at is not None
    assert endpoint.disabled_reason == (
        "Disabled automatically: the last 3 deliveries in a row failed on every attempt (the last one: HTTP 500). "
        "Fix the receiver, send a test ping, then re-enable the endpoint."
    )
    audited = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_DISABLED)
    assert (audited.actor_id, audited.actor_label, audited.object_id) == (None, "system", str(endpoint.pk))
    assert audited.changes["reason"] == endpoint.disabled_reason
    # Disabled: the next event is not even stored for it.
    assert _emit(commit) is None
    assert len(receiver.requests()) == 6


def test_a_success_between_failures_starts_the_count_again(loopback_allowed, admin_user, start_receiver, commit):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = start_receiver(fail_first=2)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)
    _emit(commit)
    _emit(commit)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 2
    _emit(commit)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_deliveries_waiting_when_the_endpoint_is_disabled_are_abandoned_unsent(endpoint, receiver):
    webhook_emit(type=EventType.PACKET_ISSUED, payload=PAYLOAD)  # not committed: no task ran yet
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    delivery = WebhookDelivery.objects.get()
    deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.ABANDONED
    assert _attempts(delivery) == [(1, None, "Not sent: the endpoint is disabled.")]
    assert receiver.requests() == []
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0


def test_a_test_ping_reaches_a_disabled_endpoint_once_and_changes_no_count(
    loopback_allowed, admin_user, start_receiver, commit
):
    receiver = start_receiver(fail_first=1)
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url, is_active=False)
    with commit():
        event = webhook_endpoint_ping(endpoint=endpoint, actor=admin_user)
    [got] = receiver.wait_for(1)
    assert Webhook(endpoint.secret).verify(got["body"], got["headers"])["type"] == "webhook.test"
    assert got["headers"]["webhook-id"] == event.id
    delivery = WebhookDelivery.objects.get()
    # Tried once, not retried: the administrator is looking at the answer now.
    assert (delivery.state, _attempts(delivery)) == (
        DeliveryState.ABANDONED,
        [(1, 500, "HTTP 500: receiver told to fail")],
    )
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.is_active) == (0, False)


def test_loopback_is_refused_at_delivery_when_no_longer_allowed(endpoint, receiver, commit, loopback_allowed):
    loopback_allowed.WEBHOOK_ALLOWED_NETWORKS = []
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    _emit(commit)
    delivery = WebhookDelivery.objects.get()
    [(number, status, error)] = _attempts(delivery)
    assert (number, status) == (1, None)
    assert error == (
        "Not sent: 127.0.0.1 is a loopback address; webhooks are sent only to public addresses "
        "(an administrator may allow a network with WEBHOOK_ALLOWED_NETWORKS)."
    )
    assert delivery.state == DeliveryState.ABANDONED
    assert receiver.requests() == []


def test_a_private_address_is_refused_at_delivery_without_a_connection(admin_user, commit, settings):
    # Saved while DNS (here: the stored URL) pointed elsewhere; at delivery it is link-local.
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint = webhook_endpoint_create(actor=admin_user, url="https://93.184.215.14/hook")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="https://169.254.169.254/latest/meta-data/")
    _emit(commit)
    [(_, status, error)] = _attempts(WebhookDelivery.objects.get())
    assert status is None and error.startswith("Not sent: 169.254.169.254 is a link-local address")


def test_redirects_are_not_followed(loopback_allowed, admin_user, start_receiver, commit):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    elsewhere = start_receiver()
    receiver = start_receiver(redirect_to=elsewhere.url)
    webhook_endpoint_create(actor=admin_user, url=receiver.url)
    _emit(commit)
    [(_, status, error)] = _attempts(WebhookDelivery.objects.get())
    assert status == 302
    assert error == f"HTTP 302: redirects are not followed (to {elsewhere.url})."
    assert len(receiver.requests()) == 1 and elsewhere.requests() == []


def test_a_slow_receiver_is_cut_off_at_the_timeout(loopback_allowed, admin_user, start_receiver, commit):
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    loopback_allowed.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver = start_receiver(delay=5)
    webhook_endpoint_create(actor=admin_user, url=receiver.url)
    _emit(commit)
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error in ("No answer within 0.5 seconds.", "No complete answer within 0.5 seconds.")
    assert attempt.duration_ms < 2500


def test_an_event_is_not_sent_when_its_transaction_rolls_back(endpoint, receiver, commit):
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        webhook_emit(type=EventType.REQUEST_DECIDED, payload=PAYLOAD)
        raise RuntimeError("the change failed")
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests() == []


def test_a_repeated_delivery_task_does_not_send_twice(endpoint, receiver, commit):
    _emit(commit)
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.wait_for(1)) == 1
    # Late acknowledgement hands the same task to a worker again; the catch-up may queue it too.
    assert deliver_webhook(delivery.pk) is None
    assert deliver_webhook(delivery.pk) is None
    assert len(receiver.requests()) == 1
    assert WebhookAttempt.objects.count() == 1


def test_a_delivery_claimed_by_another_worker_is_left_to_it(endpoint, receiver):
    webhook_emit(type=EventType.PACKET_ISSUED, payload=PAYLOAD)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() + timedelta(minutes=1))
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert receiver.requests() == []
    # Its claim ran out (that worker died): the delivery is taken up again.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is not None
    assert len(receiver.requests()) == 1


def test_the_catch_up_sends_what_the_broker_never_got(endpoint, receiver):
    # Emitted and "committed" while the broker was down: the delivery waits, nobody sends it.
    webhook_emit(type=EventType.REQUEST_SUBMITTED, payload=PAYLOAD)
    delivery = WebhookDelivery.objects.get()
    # Not at once: the task scheduled for it gets a minute's grace.
    assert deliver_due_webhooks() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert deliver_due_webhooks() == 1
    [got] = receiver.wait_for(1)
    assert json.loads(got["body"])["data"] == PAYLOAD
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert deliver_due_webhooks() == 0


@pytest.fixture
def localhost_certificate(tmp_path) -> Path:
    """A self-signed certificate for the name `localhost` only, no IP address, with its key."""
    if shutil.which("openssl") is None:
        if IN_CI:
            pytest.fail("CI must not skip: the openssl command is missing (.ci/run installs it)")
        pytest.skip("needs the openssl command")
    pem = tmp_path / "localhost.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"),
            *("-keyout", str(pem), "-out", str(pem)),
        ],
        check=True,
        capture_output=True,
    )
    return pem


def test_https_goes_to_the_checked_address_and_verifies_the_host_name(
    loopback_allowed, admin_user, start_receiver, commit, localhost_certificate, monkeypatch
):
    loopback_allowed.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
    loopback_allowed.WEBHOOK_ALLOW_HTTP = False
    loopback_allowed.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = start_receiver(cert=localhost_certificate, url_host="localhost")
    endpoint = webhook_endpoint_create(actor=admin_user, url=receiver.url)

    # Not trusted yet: the TLS handshake happens, and fails on the certificate.
    _emit(commit)
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("TLS failed:") and "certificate verify failed" in attempt.error

    # Trusted: the connection goes to the address checked, and the certificate is checked for `localhost`,
    # a name it could only match because the host name, not the address, was verified.
    monkeypatch.setenv("SSL_CERT_FILE", str(localhost_certificate))
    _emit(commit)
    [got] = receiver.requests()
    Webhook(endpoint.secret).verify(got["body"], got["headers"])
    assert got["headers"]["Host"].startswith("localhost:")
    assert WebhookDelivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 1


def test_an_internal_ip_behind_an_allowed_looking_name_is_refused(loopback_allowed, admin_user, commit):
    loopback_allowed.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError, match=r"localhost resolves to (127\.0\.0\.1|::1), a loopback address"):
        webhook_endpoint_create(actor=admin_user, url="https://localhost:8443/hook")
