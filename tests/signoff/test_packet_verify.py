"""Verifying a packet: the page (upload or hash) and `manage.py verify_packet FILE`."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Packet
from tests.signoff.packet_builders import approved_request

pytestmark = pytest.mark.django_db

VERIFY_URL = reverse("signoff:packet-verify")


@pytest.fixture
def packet(erin, rita, carl, lena, django_capture_on_commit_callbacks) -> Packet:
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena})
    return Packet.objects.get(request=request)


def altered(data: bytes) -> bytes:
    """The same file with one byte changed, in the middle (past the header)."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def upload(data: bytes, name: str = "packet.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


# The command -------------------------------------------------------------------


def test_command_accepts_the_issued_file(packet, tmp_path, capsys):
    path = tmp_path / "p.pdf"
    path.write_bytes(packet.file.read())
    call_command("verify_packet", str(path))
    out = capsys.readouterr().out
    assert f"OK: {path} is packet {packet.packet_id}, unaltered." in out
    assert f"readiness request #{packet.request_id}" in out


def test_command_fails_for_a_file_altered_by_one_byte(packet, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(altered(packet.file.read()))
    with pytest.raises(CommandError, match="not a packet this portal issued") as info:
        call_command("verify_packet", str(path))
    assert info.value.returncode == 1


def test_command_fails_when_the_stored_copy_no_longer_matches(packet, tmp_path):
    original = packet.file.read()
    path = tmp_path / "p.pdf"
    path.write_bytes(original)
    with open(packet.file.path, "wb") as fh:
        fh.write(altered(original))
    with pytest.raises(CommandError, match="stored copy") as info:
        call_command("verify_packet", str(path))
    assert info.value.returncode == 1


@pytest.mark.parametrize(("content", "message"), [(b"hello", "not a PDF"), (b"", "empty")], ids=["not-a-pdf", "empty"])
def test_command_refuses_what_is_not_a_pdf(db, tmp_path, content, message):
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as info:
        call_command("verify_packet", str(path))
    assert info.value.returncode == 2


def test_command_names_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as info:
        call_command("verify_packet", str(tmp_path / "missing.pdf"))
    assert info.value.returncode == 2


# The page ----------------------------------------------------------------------


def test_page_renders_the_form(client, nobody):
    client.force_login(nobody)
    response = client.get(VERIFY_URL)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content


def test_uploading_the_issued_file_says_which_request_and_when(client, audrey, packet):
    client.force_login(audrey)
    response = client.post(VERIFY_URL, {"file": upload(packet.file.read())})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Genuine: issued by this portal, unaltered" in body
    assert f"This is {packet.packet_id}, unaltered" in body
    assert reverse("signoff:packet-detail", args=[packet.packet_id]) in body
    event = AuditEvent.objects.get(verb=Verb.PACKET_VERIFIED)
    assert event.actor == audrey and event.changes["issued"] is True


def test_uploading_an_altered_file_says_it_was_not_issued(client, audrey, packet):
    client.force_login(audrey)
    response = client.post(VERIFY_URL, {"file": upload(altered(packet.file.read()))})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not a packet this portal issued" in body
    assert "The portal did not issue this file" in body
    assert packet.packet_id not in body


def test_pasting_the_hash_finds_the_packet(client, erin, packet):
    client.force_login(erin)
    response = client.post(VERIFY_URL, {"sha256": f"  {packet.sha256.upper()} "})
    assert response.status_code == 200
    assert f"This SHA-256 is that of {packet.packet_id} as issued." in response.content.decode()


def test_someone_without_a_role_learns_only_yes_or_no(client, nobody, packet):
    client.force_login(nobody)
    response = client.post(VERIFY_URL, {"sha256": packet.sha256})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Genuine: issued by this portal, unaltered" in body
    assert packet.request.use_case.title not in body
    assert reverse("signoff:packet-detail", args=[packet.packet_id]) not in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sha256": "abc123"}, "That is not a SHA-256"),
        ({"sha256": "z" * 64}, "That is not a SHA-256"),
        ({}, "Upload a packet file or paste its SHA-256"),
        ({"file": "not-a-pdf"}, "not a PDF file"),
    ],
    ids=["short-hash", "non-hex", "nothing", "not-a-pdf"],
)
def test_bad_input_is_a_400_naming_the_problem(client, erin, data, message):
    client.force_login(erin)
    if data.get("file") == "not-a-pdf":
        data = {"file": upload(b"GIF89a not a pdf", "x.pdf")}
    response = client.post(VERIFY_URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_VERIFIED).exists()


def test_a_file_too_large_is_a_413(client, erin, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    client.force_login(erin)
    response = client.post(VERIFY_URL, {"file": upload(b"%PDF-1.7\n" + b"0" * 2048)})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_both_a_file_and_a_hash_is_a_400(client, erin, packet):
    client.force_login(erin)
    response = client.post(VERIFY_URL, {"file": upload(packet.file.read()), "sha256": packet.sha256})
    assert response.status_code == 400
    assert "either a file or a SHA-256" in response.content.decode()


def test_anyone_may_verify_without_an_account_and_it_is_not_recorded(client, packet):
    response = client.post(VERIFY_URL, {"sha256": packet.sha256})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Genuine: issued by this portal, unaltered" in body
    assert packet.request.use_case.title not in body
    assert reverse("signoff:packet-detail", args=[packet.packet_id]) not in body
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_VERIFIED).exists()
    assert client.post(VERIFY_URL, {"sha256": "0" * 64}).status_code == 200


def test_page_says_when_the_stored_copy_no_longer_matches(client, audrey, packet):
    original = packet.file.read()
    with open(packet.file.path, "wb") as fh:
        fh.write(altered(original))
    client.force_login(audrey)
    response = client.post(VERIFY_URL, {"file": upload(original)})
    assert response.status_code == 200
    assert "stored copy of this packet does not match its record of issue" in response.content.decode()
