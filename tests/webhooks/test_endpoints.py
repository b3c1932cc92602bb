"""Endpoint services: registered, changed, re-enabled and deleted by administrators only, audited without the secret."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from standardwebhooks.webhooks import Webhook

from audit.models import AuditEvent
from audit.services import Verb
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_ping,
    webhook_endpoint_update,
)

PUBLIC = "https://93.184.215.14/hooks/stagegate"


def _secret_nowhere_in_the_trail(secret: str) -> None:
    for event in AuditEvent.objects.all():
        assert secret not in event.canonical
        assert secret not in str(event.changes)


def test_a_new_endpoint_gets_a_standard_webhooks_secret(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC, description="Ops channel")
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32
    # The receivers' library accepts it as it is.
    Webhook(endpoint.secret)
    other = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    assert other.secret != endpoint.secret


def test_creation_is_audited_without_the_secret(admin_user):
    endpoint = webhook_endpoint_create(
        actor=admin_user, url=PUBLIC, events=[EventType.PACKET_ISSUED, EventType.REQUEST_DECIDED]
    )
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_CREATED)
    assert event.actor_id == admin_user.pk
    assert event.object_id == str(endpoint.pk)
    assert event.changes == {
        "before": None,
        "after": {
            "url": PUBLIC,
            "description": "",
            # In the order the types are listed, whatever order they were ticked in.
            "events": ["request.decided", "packet.issued"],
            "is_active": True,
        },
    }
    _secret_nowhere_in_the_trail(endpoint.secret)


def test_a_change_is_audited_with_before_and_after(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    webhook_endpoint_update(
        endpoint=endpoint,
        actor=admin_user,
        url="https://1.1.1.1/in",
        description="New home",
        events=[EventType.USE_CASE_STAGE_CHANGED],
        is_active=True,
    )
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_CHANGED)
    assert event.changes["before"] == {"url": PUBLIC, "description": "", "events": [], "is_active": True}
    assert event.changes["after"] == {
        "url": "https://1.1.1.1/in",
        "description": "New home",
        "events": ["use_case.stage_changed"],
        "is_active": True,
    }
    _secret_nowhere_in_the_trail(endpoint.secret)


def test_saving_without_a_change_writes_nothing(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    webhook_endpoint_update(endpoint=endpoint, actor=admin_user, url=PUBLIC, description="", events=[], is_active=True)
    assert not AuditEvent.objects.filter(verb=Verb.WEBHOOK_ENDPOINT_CHANGED).exists()


def test_a_private_target_is_refused_when_saved_with_the_reason(admin_user):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(actor=admin_user, url="https://10.0.0.7/hook")
    assert refused.value.message_dict["url"] == [
        "10.0.0.7 is a private address; webhooks are sent only to public addresses "
        "(an administrator may allow a network with WEBHOOK_ALLOWED_NETWORKS)."
    ]
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    with pytest.raises(ValidationError, match="loopback"):
        webhook_endpoint_update(
            endpoint=endpoint, actor=admin_user, url="https://127.0.0.1/", description="", events=[], is_active=True
        )
    assert WebhookEndpoint.objects.get().url == PUBLIC


def test_unknown_event_types_are_refused(admin_user):
    with pytest.raises(ValidationError, match=r"Unknown event types: webhook.test"):
        webhook_endpoint_create(actor=admin_user, url=PUBLIC, events=[EventType.TEST])


def test_only_administrators_manage_endpoints(erin, audrey, admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    for actor in (erin, audrey):
        with pytest.raises(PermissionDenied):
            webhook_endpoint_create(actor=actor, url=PUBLIC)
        with pytest.raises(PermissionDenied):
            webhook_endpoint_update(
                endpoint=endpoint, actor=actor, url=PUBLIC, description="x", events=[], is_active=True
            )
        with pytest.raises(PermissionDenied):
            webhook_endpoint_delete(endpoint=endpoint, actor=actor)
        with pytest.raises(PermissionDenied):
            webhook_endpoint_ping(endpoint=endpoint, actor=actor)
    assert WebhookEndpoint.objects.count() == 1


def test_re_enabling_starts_the_count_again_and_is_audited(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=10, disabled_reason="Disabled automatically: ..."
    )
    endpoint = webhook_endpoint_enable(endpoint=endpoint, actor=admin_user)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures, endpoint.disabled_at, endpoint.disabled_reason) == (
        True,
        0,
        None,
        "",
    )
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_ENABLED)
    assert event.changes == {"is_active": [False, True], "was_disabled_because": "Disabled automatically: ..."}
    with pytest.raises(ValidationError, match="already enabled"):
        webhook_endpoint_enable(endpoint=endpoint, actor=admin_user)


def test_switching_off_by_hand_says_who(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    webhook_endpoint_update(endpoint=endpoint, actor=admin_user, url=PUBLIC, description="", events=[], is_active=False)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert endpoint.disabled_reason == "Disabled by admin."


def test_deletion_is_audited_and_takes_the_log_with_it(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC)
    webhook_endpoint_ping(endpoint=endpoint, actor=admin_user)
    webhook_endpoint_delete(endpoint=endpoint, actor=admin_user)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_DELETED)
    assert event.changes == {
        "before": {"url": PUBLIC, "description": "", "events": [], "is_active": True},
        "after": None,
    }
    _secret_nowhere_in_the_trail(endpoint.secret)


def test_a_ping_is_one_event_for_this_endpoint_only_even_a_disabled_one(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=PUBLIC, events=[EventType.PACKET_ISSUED], is_active=False)
    webhook_endpoint_create(actor=admin_user, url="https://1.1.1.1/other")
    event = webhook_endpoint_ping(endpoint=endpoint, actor=admin_user)
    assert event.type == EventType.TEST
    assert list(WebhookEvent.objects.values_list("id", flat=True)) == [event.id]
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [endpoint.pk]
