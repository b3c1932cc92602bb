"""The auditor's view of the audit trail: who may see it, filters, paging, CSV export, chain status."""

import csv
import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb, audit_record
from audit.triggers import audit_triggers_drop, audit_triggers_install
from portal import audit_trail
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = reverse("portal:audit")
EXPORT_URL = reverse("portal:audit-export")
VERIFY_URL = reverse("portal:audit-verify")


@pytest.fixture(autouse=True)
def _fresh_chain_status():
    cache.delete(audit_trail.CHAIN_STATUS_CACHE_KEY)
    yield
    cache.delete(audit_trail.CHAIN_STATUS_CACHE_KEY)


@pytest.fixture
def trail(erin, eric):
    """Events on two use cases by two actors, one on a request, one with a hostile text."""
    mine = factories.UseCaseFactory(slug="mine", technical_owner=erin)
    theirs = factories.UseCaseFactory(slug="theirs", technical_owner=eric)
    with transaction.atomic():
        audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, obj=mine, use_case_id=mine.pk, changes={"n": 1})
        audit_record(actor=eric, verb=Verb.USE_CASE_UPDATED, obj=theirs, use_case_id=theirs.pk, changes={"n": 2})
        audit_record(actor=erin, verb=Verb.REQUEST_SUBMITTED, use_case_id=mine.pk, request_id=77)
        audit_record(actor=eric, verb=Verb.ARTIFACT_UPLOADED, use_case_id=theirs.pk, changes={"name": "=HYPERLINK(1)"})
    return {"mine": mine, "theirs": theirs}


def seqs(response) -> list[int]:
    return [e.seq for e, _ in response.context["rows"]]


# Who may see ---------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["audrey", "admin_user"])
def test_auditors_and_admins_read_the_whole_trail(client, request, trail, actor):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert seqs(response) == list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
    assert b"Chain intact" in response.content


@pytest.mark.parametrize("actor", ["erin", "rita"])
def test_other_role_holders_are_refused_with_a_reason(client, request, trail, actor):
    client.force_login(request.getfixturevalue(actor))
    for url in (LIST_URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 403
        assert b"open to auditors and administrators" in response.content


def test_without_a_role_the_trail_does_not_exist(client, nobody, trail):
    client.force_login(nobody)
    assert client.get(LIST_URL).status_code == 404
    assert client.get(EXPORT_URL).status_code == 404
    assert client.post(VERIFY_URL).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={LIST_URL}"


# Filters and paging --------------------------------------------------------------


def test_filter_by_use_case(client, audrey, trail):
    client.force_login(audrey)
    response = client.get(LIST_URL, {"use_case": "mine"})
    events = AuditEvent.objects.filter(use_case_id=trail["mine"].pk).order_by("-seq")
    assert seqs(response) == [e.seq for e in events]
    assert [e.verb for e in events] == [Verb.REQUEST_SUBMITTED, Verb.USE_CASE_UPDATED, Verb.PERMISSION_GRANTED]


def test_filter_by_actor_and_verb(client, audrey, trail):
    client.force_login(audrey)
    response = client.get(LIST_URL, {"actor": "ERIC", "verb": Verb.ARTIFACT_UPLOADED})
    assert [(e.actor_label, e.verb) for e, _ in response.context["rows"]] == [("eric", Verb.ARTIFACT_UPLOADED)]


def test_filter_by_request(client, audrey, trail):
    client.force_login(audrey)
    response = client.get(LIST_URL, {"request": "77"})
    assert [e.verb for e, _ in response.context["rows"]] == [Verb.REQUEST_SUBMITTED]


def test_filter_by_date_range(client, audrey, trail):
    client.force_login(audrey)
    today = timezone.localdate()
    everything = list(AuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
    assert seqs(client.get(LIST_URL, {"since": today.isoformat(), "until": today.isoformat()})) == everything
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert seqs(client.get(LIST_URL, {"since": tomorrow})) == []
    yesterday = (today - timedelta(days=1)).isoformat()
    assert seqs(client.get(LIST_URL, {"until": yesterday})) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"use_case": "no-such-thing"}, "No use case has the slug"),
        ({"since": "yesterday"}, "Enter a valid date"),
        ({"since": "2026-02-02", "until": "2026-01-01"}, "start date is after the end date"),
        ({"verb": "made.up"}, "Select a valid choice"),
        ({"request": "x"}, "Enter a whole number"),
    ],
)
def test_bad_filters_are_shown_on_the_page_and_refuse_the_export(client, audrey, trail, params, message):
    client.force_login(audrey)
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(verb=Verb.AUDIT_EXPORTED).exists()


def test_pages_cost_the_same_queries_however_long_the_trail(client, audrey, erin, django_assert_max_num_queries):
    use_case = factories.UseCaseFactory(technical_owner=erin)
    with transaction.atomic():
        for n in range(130):
            audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, use_case_id=use_case.pk, changes={"n": n})
    client.force_login(audrey)
    client.get(LIST_URL)  # verifies the chain once and caches the result
    with django_assert_max_num_queries(12):
        first = client.get(LIST_URL)
    with django_assert_max_num_queries(12):
        last = client.get(LIST_URL, {"page": "3"})
    count = AuditEvent.objects.count()
    assert seqs(first) == list(range(count, count - 50, -1))
    assert seqs(last) == list(range(count - 100, 0, -1))
    assert b"Next" in first.content


# CSV export --------------------------------------------------------------------


def test_export_streams_the_filtered_events_and_is_audited(client, audrey, trail):
    client.force_login(audrey)
    response = client.get(EXPORT_URL, {"use_case": "theirs"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    head = AuditEvent.objects.filter(verb=Verb.AUDIT_EXPORTED).get().seq - 1
    assert re.fullmatch(
        rf'attachment; filename="audit-trail-\d{{8}}T\d{{6}}Z-to-{head}.csv"', response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = AuditEvent.objects.filter(use_case_id=trail["theirs"].pk).order_by("seq")
    assert [int(r["seq"]) for r in rows] == [e.seq for e in expected]
    assert [r["hash"] for r in rows] == [e.hash for e in expected]
    assert next(r for r in rows if r["verb"] == Verb.USE_CASE_UPDATED)["actor"] == "eric"
    # A cell a spreadsheet would run as a formula is defused.
    uploaded = next(r for r in rows if r["verb"] == Verb.ARTIFACT_UPLOADED)
    assert uploaded["changes"] == '{"name":"=HYPERLINK(1)"}'
    export = AuditEvent.objects.get(verb=Verb.AUDIT_EXPORTED)
    assert export.actor == audrey
    assert export.changes["filters"]["use_case"] == "theirs"
    # The export does not contain its own event: it is a snapshot up to the head when it began.
    assert export.seq not in [int(r["seq"]) for r in rows]


def test_export_defuses_formula_cells(client, audrey, erin):
    with transaction.atomic():
        audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, actor_label="=cmd|' /C calc'!A0")
    client.force_login(audrey)
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(EXPORT_URL).streaming_content).decode())))
    [row] = [r for r in rows if r["verb"] == Verb.USE_CASE_UPDATED]
    assert row["actor"] == "'=cmd|' /C calc'!A0"


# Chain status --------------------------------------------------------------------


def _tamper(seq: int) -> None:
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET changes = %s WHERE seq = %s", ['{"n": 99}', seq])
    finally:
        audit_triggers_install(connection)


def test_verify_now_finds_a_tampered_event(client, audrey, trail):
    client.force_login(audrey)
    assert b"Chain intact" in client.get(LIST_URL).content
    _tamper(2)
    response = client.post(VERIFY_URL, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chain broken" in body and "event #2" in body


def test_a_long_chain_is_verified_only_on_request(client, audrey, trail, monkeypatch):
    monkeypatch.setattr(audit_trail, "VERIFY_INLINE_MAX_EVENTS", 1)
    client.force_login(audrey)
    assert b"Not verified yet" in client.get(LIST_URL).content
    response = client.post(VERIFY_URL, follow=True)
    assert b"Chain intact" in response.content
    assert "The audit chain is intact" in response.content.decode()


def test_verify_now_is_refused_to_other_roles(client, erin, trail):
    client.force_login(erin)
    before = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count()
    response = client.post(VERIFY_URL)
    assert response.status_code == 403
    assert cache.get(audit_trail.CHAIN_STATUS_CACHE_KEY) is None
    # A refused POST is itself audited.
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == before + 1


def test_verify_now_needs_post(client, audrey):
    client.force_login(audrey)
    assert client.get(VERIFY_URL).status_code == 405


@pytest.mark.parametrize(("who", "offered"), [("audrey", True), ("admin_user", True), ("erin", False), ("rita", False)])
def test_navigation_offers_the_trail_only_to_those_who_may_read_it(client, request, who, offered):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("portal:home")).content.decode()
    assert (f'href="{LIST_URL}"' in page) is offered


def test_every_exported_row_re_hashes_outside_the_portal(client, audrey, erin):
    with transaction.atomic():
        audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, changes={"title": ["=old", "new 😀"], "n": 1e16})
    client.force_login(audrey)
    rows = list(csv.DictReader(io.StringIO(b"".join(client.get(EXPORT_URL).streaming_content).decode())))
    previous = AuditEvent.GENESIS_HASH
    for row in rows:
        assert hashlib.sha256(row["canonical"].encode()).hexdigest() == row["hash"]
        assert json.loads(row["canonical"])["prev_hash"] == row["prev_hash"] == previous
        assert json.loads(row["canonical"])["actor_id"] == (int(row["actor_id"]) if row["actor_id"] else None)
        previous = row["hash"]
