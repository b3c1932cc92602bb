"""Nobody can grow the append-only trail at will: refusals of unauthenticated clients are counted, not recorded."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent, RefusalTally
from audit.refusals import refusal_tallies_record
from audit.services import Verb

pytestmark = pytest.mark.django_db


def events():
    return AuditEvent.objects.filter(verb__startswith="access.")


def test_two_hundred_anonymous_writes_make_one_event_with_their_count(client):
    start = timezone.now().replace(minute=1, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        api = [client.post("/api/v1/use-cases/", {"title": f"x{n}"}).status_code for n in range(100)]
        pages = [client.post(f"/no-such-page-{n}/", {"x": "y"}).status_code for n in range(100)]
        assert (api, pages) == ([401] * 60 + [429] * 40, [404] * 100)
        assert not events().exists()
        # The window is still open: nothing is written yet.
        assert refusal_tallies_record() == 0
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert refusal_tallies_record() == 1
        assert refusal_tallies_record() == 0
    [event] = events()
    assert event.verb == Verb.ACCESS_REFUSED_ANONYMOUS
    assert event.changes["count"] == 200
    assert event.changes["statuses"] == {"401": 60, "429": 40, "404": 100}
    assert (event.changes["first_path"], event.changes["last_path"]) == ("/api/v1/use-cases/", "/no-such-page-99/")
    assert event.ip_address == "127.0.0.1"


def test_each_client_and_window_is_its_own_event(client):
    start = timezone.now().replace(minute=1, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        client.post("/nowhere/", REMOTE_ADDR="10.0.0.1")
        client.post("/nowhere/", REMOTE_ADDR="10.0.0.2")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        client.post("/nowhere/", REMOTE_ADDR="10.0.0.1")
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert refusal_tallies_record() == 3
    assert sorted((e.ip_address, e.changes["count"]) for e in events()) == [
        ("10.0.0.1", 1),
        ("10.0.0.1", 1),
        ("10.0.0.2", 1),
    ]
    assert RefusalTally.objects.filter(recorded_at__isnull=True).count() == 0


def test_unauthenticated_api_clients_are_slowed_down(client):
    codes = [
        client.post("/api/v1/use-cases/", json.dumps({"title": "x"}), content_type="application/json").status_code
        for _ in range(70)
    ]
    assert codes[:60] == [401] * 60
    assert codes[60:] == [429] * 10
    response = client.get("/api/v1/use-cases/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_signed_in_persons_refusal_is_still_its_own_event(client, eric, in_review):
    client.force_login(eric)
    client.post(f"/signoff/requests/{in_review.pk}/withdraw/")
    [event] = events()
    assert (event.verb, event.actor) == (Verb.ACCESS_REFUSED, eric)
    assert not RefusalTally.objects.exists()
