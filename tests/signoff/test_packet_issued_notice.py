"""When a packet is issued, its owners and deciders are told its SHA-256 and where anyone can check it."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from signoff.models import Packet
from signoff.packets import packet_render
from tests import factories
from tests.signoff.packet_builders import approved_request, packet_stub

pytestmark = pytest.mark.django_db


@pytest.fixture
def bystanders(eric, ravi, cora, leo, audrey, admin_user, nobody):
    return [eric, ravi, cora, leo, audrey, admin_user, nobody]


@pytest.fixture
def packet(signing, erin, rita, carl, lena, bystanders, django_capture_on_commit_callbacks) -> Packet:
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena})
    return Packet.objects.get(request=request)


def _verify_link(packet: Packet) -> str:
    return f"{settings.SITE_URL}{reverse('signoff:packet-verify')}?sha256={packet.sha256}"


def test_the_owners_and_the_deciders_are_told_the_packet_and_its_hash(packet):
    notices = Notification.objects.filter(kind="packet").select_related("user")
    # erin owns and submitted it, bob is its business owner; rita, carl and lena decided it.
    assert sorted(n.user.username for n in notices) == ["bob", "carl", "erin", "lena", "rita"]
    request = packet.request
    for notice in notices:
        assert notice.title == f"Packet {packet.packet_id} issued"
        assert notice.body == (
            f"SHA-256: {packet.sha256}\n"
            f"The sign-off packet of {request.use_case}, readiness request #{request.pk}, is issued. "
            f"Keep this hash: anyone can check a copy of the packet against it, without an account, at "
            f"{_verify_link(packet)}"
        )
        assert notice.url == packet.get_absolute_url()


def test_the_notice_is_mailed_to_them_and_to_nobody_else(packet, bystanders):
    subject = f"[{settings.SITE_NAME}] Packet {packet.packet_id} issued"
    mailed = [m for m in mail.outbox if m.subject == subject]
    recipients = sorted(address for m in mailed for address in m.to)
    expected = sorted(n.user.email for n in Notification.objects.filter(kind="packet").select_related("user"))
    assert recipients == expected and len(expected) == 5
    assert not {u.email for u in bystanders} & set(recipients)
    for message in mailed:
        assert f"SHA-256: {packet.sha256}" in message.body
        assert _verify_link(packet) in message.body
        html = message.alternatives[0][0]
        assert packet.sha256 in html and _verify_link(packet) in html


def test_a_second_render_of_the_same_request_tells_nobody_again(packet):
    mailed = len(mail.outbox)
    assert packet_render(request=packet.request) == packet
    assert Notification.objects.filter(kind="packet").count() == 5 and len(mail.outbox) == mailed


def test_the_verify_link_fills_in_the_hash_for_anyone(client, erin):
    stub = packet_stub(use_case=factories.UseCaseFactory(slug="listed", title="Listed", technical_owner=erin))
    response = client.get(reverse("signoff:packet-verify"), {"sha256": stub.sha256.upper()})
    assert response.status_code == 200
    assert f'value="{stub.sha256}"' in response.content.decode()
    garbage = client.get(reverse("signoff:packet-verify"), {"sha256": '"><script>x</script>'})
    assert garbage.status_code == 200 and "<script>x" not in garbage.content.decode()
    assert 'name="sha256" value=' not in garbage.content.decode()
