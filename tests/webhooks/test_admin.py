"""The admin pages for webhooks: administrators register endpoints, see secrets, deliveries and attempts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from tests import factories
from webhooks.models import DeliveryState, EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_webhookendpoint_add")
LIST = reverse("admin:webhooks_webhookendpoint_changelist")
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")
PUBLIC = "https://93.184.215.14/hooks/stagegate"


def change_url(endpoint: WebhookEndpoint) -> str:
    return reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])


def form(**overrides) -> dict:
    return {"url": PUBLIC, "description": "Ops channel", "events": ["request.decided"], "is_active": "on"} | overrides


@pytest.fixture
def staff_engineer(db):
    """Staff, and granted every webhooks permission in Django's terms, but not an administrator of the portal."""
    user = factories.UserFactory(username="stan", roles=["engineer"], is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="webhooks"))
    return user


def test_an_administrator_registers_an_endpoint_and_sees_its_secret(client, admin_user):
    client.force_login(admin_user)
    response = client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(endpoint)
    assert (endpoint.url, endpoint.events, endpoint.created_by) == (PUBLIC, ["request.decided"], admin_user)
    page = client.get(change_url(endpoint)).content.decode()
    assert endpoint.secret in page
    assert "Give the receiver the signing secret below" in page
    assert "Send test ping" in page and "Re-enable" not in page
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_CREATED)
    assert event.actor_id == admin_user.pk and endpoint.secret not in event.canonical


def test_a_private_url_is_refused_on_the_form_with_the_reason(client, admin_user):
    client.force_login(admin_user)
    response = client.post(ADD, form(url="https://169.254.169.254/latest/meta-data/"))
    assert response.status_code == 200
    assert "169.254.169.254 is a link-local address; webhooks are sent only to public addresses" in (
        response.content.decode()
    )
    assert not WebhookEndpoint.objects.exists()


def test_a_change_through_the_admin_is_audited(client, admin_user):
    client.force_login(admin_user)
    client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    response = client.post(change_url(endpoint), form(description="Risk channel", events=[]))
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb=Verb.WEBHOOK_ENDPOINT_CHANGED)
    assert event.changes["before"]["description"] == "Ops channel"
    assert event.changes["after"] == {"url": PUBLIC, "description": "Risk channel", "events": [], "is_active": True}


def test_a_disabled_endpoint_says_why_and_is_re_enabled(client, admin_user):
    client.force_login(admin_user)
    client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    reason = "Disabled automatically: the last 10 deliveries in a row failed on every attempt (the last one: HTTP 500)."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, consecutive_failures=10, disabled_reason=reason
    )
    assert reason in client.get(LIST).content.decode()
    page = client.get(change_url(endpoint)).content.decode()
    assert "This endpoint is disabled and receives no events." in page and "Re-enable" in page
    enable = reverse("admin:webhooks_webhookendpoint_enable", args=[endpoint.pk])
    assert client.get(enable).status_code == 405
    response = client.post(enable, follow=True)
    assert "enabled again" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 0
    assert AuditEvent.objects.filter(verb=Verb.WEBHOOK_ENDPOINT_ENABLED).count() == 1


def test_a_test_ping_is_sent_and_its_attempts_are_shown(
    client, admin_user, endpoint, receiver, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    ping = reverse("admin:webhooks_webhookendpoint_ping", args=[endpoint.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ping)
    assert response.status_code == 302
    [got] = receiver.wait_for(1)
    event = WebhookEvent.objects.get(type=EventType.TEST)
    assert got["headers"]["webhook-id"] == event.id
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.state == DeliveryState.SUCCEEDED
    listing = client.get(DELIVERIES, {"endpoint__id__exact": endpoint.pk}).content.decode()
    assert event.id in listing
    page = client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "204" in page and "A test ping from Stagegate" in page
    assert "1 succeeded" in client.get(change_url(endpoint)).content.decode()


def test_every_failed_attempt_is_shown_with_its_error(client, admin_user, endpoint, django_capture_on_commit_callbacks):
    endpoint_url = endpoint.url
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=endpoint_url.replace("127.0.0.1", "10.9.8.7"))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:webhooks_webhookendpoint_ping", args=[endpoint.pk]))
    delivery = WebhookDelivery.objects.get()
    page = client.get(reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "Not sent: 10.9.8.7 is a private address" in page


def test_deleting_in_the_admin_is_audited(client, admin_user):
    client.force_login(admin_user)
    client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    delete = reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.WEBHOOK_ENDPOINT_DELETED).count() == 1


def test_deliveries_are_read_only(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:webhooks_webhookdelivery_add")).status_code == 403


@pytest.mark.parametrize("who", ["erin", "audrey", "nobody"])
def test_people_who_are_not_staff_are_sent_to_sign_in(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (LIST, ADD, DELIVERIES):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_who_are_not_administrators_are_refused(client, staff_engineer, admin_user):
    client.force_login(admin_user)
    client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    client.force_login(staff_engineer)
    for url in (LIST, ADD, DELIVERIES, change_url(endpoint)):
        assert client.get(url).status_code == 403, url
    # Not even listed on the admin's index.
    assert "Webhook endpoints" not in client.get(reverse("admin:index")).content.decode()
    response = client.post(reverse("admin:webhooks_webhookendpoint_ping", args=[endpoint.pk]))
    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()
    assert endpoint.secret not in client.get(change_url(endpoint)).content.decode()


def test_administrators_see_disabled_endpoints_and_why_on_their_home_page(client, admin_user, erin):
    client.force_login(admin_user)
    client.post(ADD, form())
    endpoint = WebhookEndpoint.objects.get()
    assert "Webhook endpoints receiving nothing" not in client.get("/").content.decode()
    reason = "Disabled automatically: the last 10 deliveries in a row failed on every attempt (the last one: HTTP 503)."
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason=reason)
    page = client.get("/").content.decode()
    assert "Webhook endpoints receiving nothing" in page and reason in page and change_url(endpoint) in page
    client.force_login(erin)
    assert "Webhook endpoints receiving nothing" not in client.get("/").content.decode()
