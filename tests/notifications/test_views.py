"""Notification pages: the list, marking read, the header badge and the e-mail setting."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from notifications.models import Notification
from notifications.services import Kind, notify

LIST = reverse("notifications:list")
READ = reverse("notifications:read")
BADGE = reverse("notifications:badge")
SETTINGS = reverse("notifications:settings")


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def inbox(ravi, rita):
    """ravi has 30 notifications (3 read), rita one of her own."""
    rows = [notify(users=[ravi], kind=Kind.REMINDER, title=f"Reminder {n}")[0] for n in range(30)]
    Notification.objects.filter(pk__in=[r.pk for r in rows[:3]]).update(read_at="2026-11-20T10:00:00Z")
    ritas = notify(users=[rita], kind=Kind.ESCALATION, title="Rita's escalation")[0]
    return rows, ritas


def test_list_needs_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_your_own_paginated(client, ravi, inbox, django_assert_max_num_queries):
    signed_in(client, ravi)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.paginator.count == 30
    assert len(page.object_list) == 25
    assert response.context["unread_count"] == 27
    content = response.content.decode()
    assert "Rita&#x27;s escalation" not in content and "Rita's escalation" not in content
    assert "Mark all as read" in content
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page_obj"].object_list) == 5


def test_header_shows_the_unread_count(client, ravi, inbox):
    signed_in(client, ravi)
    content = client.get(LIST).content.decode()
    assert 'id="unread-count">27<' in content
    assert f'hx-get="{BADGE}"' in content


def test_badge_partial_is_a_fragment_with_the_count(client, ravi, inbox):
    signed_in(client, ravi)
    response = client.get(BADGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith('<span id="notifications-badge"')
    assert ">27<" in content
    assert "<html" not in content


def test_badge_is_empty_when_all_is_read(client, rita):
    signed_in(client, rita)
    content = client.get(BADGE).content.decode()
    assert 'id="unread-count"' not in content


def test_mark_one_read(client, ravi, inbox):
    rows, _ = inbox
    signed_in(client, ravi)
    response = client.post(READ, {"id": rows[10].pk, "page": "1"}, follow=True)
    assert response.redirect_chain == [(f"{LIST}?page=1", 302)]
    assert "Marked 1 notification as read." in response.content.decode()
    rows[10].refresh_from_db()
    assert rows[10].read_at is not None
    assert Notification.objects.filter(user=ravi, read_at__isnull=True).count() == 26


def test_mark_all_read_leaves_others_alone(client, ravi, inbox):
    _, ritas = inbox
    signed_in(client, ravi)
    response = client.post(READ, follow=True)
    assert "Marked 27 notifications as read." in response.content.decode()
    assert not Notification.objects.filter(user=ravi, read_at__isnull=True).exists()
    ritas.refresh_from_db()
    assert ritas.read_at is None


def test_someone_elses_notification_is_not_found_and_nothing_changes(client, ravi, inbox):
    rows, ritas = inbox
    signed_in(client, ravi)
    response = client.post(READ, {"id": [rows[5].pk, ritas.pk]})
    assert response.status_code == 404
    ritas.refresh_from_db()
    rows[5].refresh_from_db()
    assert ritas.read_at is None
    assert rows[5].read_at is None


@pytest.mark.parametrize("bad", ["abc", "-1", "0", "1.5", "99999999999999999999999", "١٢"])
def test_a_bad_id_is_refused_with_a_message(client, ravi, inbox, bad):
    signed_in(client, ravi)
    response = client.post(READ, {"id": bad})
    assert response.status_code == 400
    assert response.content.decode() == "Each id must be a notification number."
    assert Notification.objects.filter(user=ravi, read_at__isnull=True).count() == 27


def test_mark_read_is_post_only(client, ravi, inbox):
    signed_in(client, ravi)
    assert client.get(READ).status_code == 405
    assert Notification.objects.filter(user=ravi, read_at__isnull=True).count() == 27


def test_mark_read_needs_sign_in(client, inbox):
    rows, _ = inbox
    response = client.post(READ, {"id": rows[10].pk})
    assert response.status_code == 302
    rows[10].refresh_from_db()
    assert rows[10].read_at is None


def test_settings_page_shows_the_current_choice(client, ravi):
    signed_in(client, ravi)
    response = client.get(SETTINGS)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<legend>Notifications by e-mail</legend>" in content
    checked = re.findall(r'<input type="radio" name="email_mode" value="(\w+)"[^>]*\bchecked\b', content)
    assert checked == ["immediate"]


def test_choose_the_daily_digest(client, ravi):
    signed_in(client, ravi)
    response = client.post(SETTINGS, {"email_mode": "digest"}, follow=True)
    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "E-mail: one daily digest." in response.content.decode()
    ravi.refresh_from_db()
    assert ravi.email_mode == User.EmailMode.DIGEST


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose how you want to receive e-mail."),
        ({"email_mode": "weekly"}, "Choose one of the options: each e-mail as it happens, or one daily digest."),
    ],
)
def test_a_bad_choice_is_refused_with_a_message(client, ravi, data, message):
    signed_in(client, ravi)
    response = client.post(SETTINGS, data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"email_mode": [message]}
    assert message in response.content.decode()
    ravi.refresh_from_db()
    assert ravi.email_mode == User.EmailMode.IMMEDIATE


def test_settings_need_sign_in(client, ravi):
    response = client.post(SETTINGS, {"email_mode": "digest"})
    assert response.status_code == 302
    ravi.refresh_from_db()
    assert ravi.email_mode == User.EmailMode.IMMEDIATE


def test_badge_poll_after_the_session_ended_shows_no_count_and_no_sign_in_page(client, inbox):
    response = client.get(BADGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="unread-count"' not in content
    assert "<form" not in content
