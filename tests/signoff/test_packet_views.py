"""The packet pages: list with filters, a packet's page, and its download."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from tests import factories
from tests.signoff.packet_builders import packet_stub

pytestmark = pytest.mark.django_db

LIST_URL = reverse("signoff:packet-list")


@pytest.fixture
def packets(erin, eric):
    now = timezone.now()
    mine = factories.UseCaseFactory(slug="mine", title="Ticket triage", technical_owner=erin)
    theirs = factories.UseCaseFactory(slug="theirs", title="Claims notes", technical_owner=eric)
    return {
        "old": packet_stub(use_case=mine, target_stage=2, decided_at=now - timedelta(days=40)),
        "new": packet_stub(use_case=mine, target_stage=3, decided_at=now),
        "theirs": packet_stub(use_case=theirs, target_stage=3, decided_at=now - timedelta(days=1)),
    }


def listed(response) -> list[str]:
    return [p.packet_id for p in response.context["page_obj"]]


@pytest.mark.parametrize("actor", ["audrey", "admin_user", "erin", "eric", "rita"])
def test_every_role_holder_sees_the_packets(client, request, packets, actor):
    client.force_login(request.getfixturevalue(actor))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert listed(response) == [packets[k].packet_id for k in ("new", "theirs", "old")]


def test_the_list_shows_each_packets_whole_sha256(client, audrey, packets):
    client.force_login(audrey)
    page = client.get(LIST_URL).content.decode()
    for packet in packets.values():
        assert f'<code class="hash">{packet.sha256}</code>' in page


def test_without_a_role_nothing_exists(client, nobody, packets):
    client.force_login(nobody)
    packet = packets["new"]
    assert client.get(LIST_URL).status_code == 404
    assert client.get(packet.get_absolute_url()).status_code == 404
    assert client.get(reverse("signoff:packet-download", args=[packet.packet_id])).status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED).exists()


def test_anonymous_is_sent_to_sign_in(client, packets):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={LIST_URL}"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"use_case": "mine"}, ["new", "old"]),
        ({"use_case": "claims"}, ["theirs"]),
        ({"stage": "2"}, ["old"]),
        ({"since": (timezone.localdate() - timedelta(days=2)).isoformat()}, ["new", "theirs"]),
        ({"until": (timezone.localdate() - timedelta(days=30)).isoformat()}, ["old"]),
    ],
)
def test_filters(client, audrey, packets, params, expected):
    client.force_login(audrey)
    assert listed(client.get(LIST_URL, params)) == [packets[k].packet_id for k in expected]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"stage": "7"}, "Select a valid choice"),
        ({"since": "soon"}, "Enter a valid date"),
        ({"since": "2026-03-01", "until": "2026-01-01"}, "start date is after the end date"),
    ],
)
def test_bad_filters_are_shown_beside_the_form(client, audrey, packets, params, message):
    client.force_login(audrey)
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_bad_filter_is_left_out_and_the_others_still_apply(client, audrey, packets):
    client.force_login(audrey)
    response = client.get(LIST_URL, {"stage": "7", "use_case": "claims"})
    assert listed(response) == [packets["theirs"].packet_id]
    assert response.context["form"].errors["stage"]


def test_the_list_costs_the_same_queries_for_many_packets(client, audrey, erin, django_assert_max_num_queries):
    for n in range(30):
        packet_stub(use_case=factories.UseCaseFactory(technical_owner=erin, slug=f"uc-{n}"))
    client.force_login(audrey)
    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)
    assert len(listed(response)) == 25
    with django_assert_max_num_queries(8):
        assert len(listed(client.get(LIST_URL, {"page": "2"}))) == 5


def test_detail_shows_the_metadata_and_download(client, audrey, packets):
    packet = packets["new"]
    client.force_login(audrey)
    response = client.get(packet.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert packet.sha256 in body
    assert reverse("signoff:packet-download", args=[packet.packet_id]) in body
    assert "matches its SHA-256" in body


def test_detail_of_an_unknown_packet_is_404(client, audrey):
    client.force_login(audrey)
    assert client.get(reverse("signoff:packet-detail", args=["SG-2026-999999"])).status_code == 404


def test_detail_says_when_the_stored_copy_was_altered(client, audrey, packets):
    packet = packets["new"]
    with open(packet.file.path, "ab") as fh:
        fh.write(b"x")
    client.force_login(audrey)
    assert "does not match its SHA-256" in client.get(packet.get_absolute_url()).content.decode()


def test_download_is_an_audited_attachment(client, audrey, packets):
    packet = packets["theirs"]
    client.force_login(audrey)
    response = client.get(reverse("signoff:packet-download", args=[packet.packet_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{packet.packet_id}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == packet.file.open("rb").read()
    event = AuditEvent.objects.get(verb=Verb.PACKET_DOWNLOADED)
    assert event.actor == audrey
    assert event.request_id == packet.request_id
    assert event.changes["sha256"] == packet.sha256


def test_download_of_a_missing_file_is_404_and_not_audited(client, audrey, packets):
    packet = packets["new"]
    packet.file.storage.delete(packet.file.name)
    client.force_login(audrey)
    response = client.get(reverse("signoff:packet-download", args=[packet.packet_id]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED).exists()
