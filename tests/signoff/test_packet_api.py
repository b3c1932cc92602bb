"""Packets over the API: the list with download URLs, the `.pdf` form, read-only."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Packet
from tests import factories
from tests.signoff.packet_builders import packet_stub

pytestmark = pytest.mark.django_db

LIST = "/api/v1/packets/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def packets(erin):
    now = timezone.now()
    mine = factories.UseCaseFactory(slug="mine", technical_owner=erin)
    return [
        packet_stub(use_case=mine, target_stage=2, decided_at=now - timedelta(days=10)),
        packet_stub(use_case=mine, target_stage=3, decided_at=now),
    ]


def test_list_gives_each_packet_with_its_download_url(api, audrey, packets):
    api.force_authenticate(audrey)
    response = api.get(LIST)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["packet_id"] for r in results] == [packets[1].packet_id, packets[0].packet_id]
    first = results[0]
    assert first["download_url"] == f"http://testserver/api/v1/packets/{packets[1].packet_id}.pdf"
    assert first["sha256"] == packets[1].sha256
    assert first["size"] == packets[1].size and first["page_count"] == 1
    assert first["use_case"] == "mine" and first["target_stage"] == 3
    assert first["request"] == packets[1].request_id
    assert datetime.fromisoformat(first["created_at"]) == packets[1].created_at


def test_list_filters(api, erin, packets):
    api.force_authenticate(erin)
    assert [r["packet_id"] for r in api.get(LIST, {"stage": 2}).json()["results"]] == [packets[0].packet_id]
    assert api.get(LIST, {"use_case": "other"}).json()["results"] == []


def test_bad_filter_is_a_400(api, erin, packets):
    api.force_authenticate(erin)
    response = api.get(LIST, {"since": "someday"})
    assert response.status_code == 400
    assert response.json() == {"since": ["Enter a valid date."]}


def test_the_pdf_form_downloads_and_is_audited(api, audrey, packets):
    packet = packets[1]
    api.force_authenticate(audrey)
    response = api.get(f"{LIST}{packet.packet_id}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="{packet.packet_id}.pdf"'
    assert b"".join(response.streaming_content) == packet.file.open("rb").read()
    assert AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED, actor=audrey).count() == 1


def test_download_action_and_accept_header_give_the_pdf_too(api, erin, packets):
    packet = packets[0]
    api.force_authenticate(erin)
    assert api.get(f"{LIST}{packet.packet_id}/download/")["Content-Type"] == "application/pdf"
    assert api.get(f"{LIST}{packet.packet_id}/", HTTP_ACCEPT="application/pdf")["Content-Type"] == "application/pdf"
    metadata = api.get(f"{LIST}{packet.packet_id}/")
    assert metadata.json()["sha256"] == packet.sha256


def test_unknown_packet_pdf_is_a_json_404(api, audrey):
    api.force_authenticate(audrey)
    response = api.get(f"{LIST}SG-2026-999999.pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_without_a_role_nothing_exists(api, nobody, packets):
    api.force_authenticate(nobody)
    assert api.get(LIST).status_code == 404
    assert api.get(f"{LIST}{packets[0].packet_id}.pdf").status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED).exists()


def test_anonymous_is_refused(api, packets):
    for url in (LIST, f"{LIST}{packets[0].packet_id}.pdf"):
        response = api.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED).exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_packets_are_read_only(api, audrey, admin_user, packets, method):
    packet = packets[0]
    for user in (audrey, admin_user):
        api.force_authenticate(user)
        url = LIST if method == "post" else f"{LIST}{packet.packet_id}/"
        assert getattr(api, method)(url, {"sha256": "0" * 64}, format="json").status_code == 405
    assert Packet.objects.get(pk=packet.pk).sha256 == packet.sha256
    assert Packet.objects.count() == 2


def test_the_list_query_count_is_flat(api, audrey, erin, django_assert_max_num_queries):
    for n in range(20):
        packet_stub(use_case=factories.UseCaseFactory(technical_owner=erin, slug=f"uc-{n}"))
    api.force_authenticate(audrey)
    with django_assert_max_num_queries(6):
        assert len(api.get(LIST).json()["results"]) == 20


def test_schema_generates(api, audrey):
    api.force_authenticate(audrey)
    response = api.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/api/v1/packets/{packet_id}/download/" in body
    assert "/api/v1/audit-events/" in body
