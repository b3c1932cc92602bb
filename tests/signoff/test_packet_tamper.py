"""Tampering with a signed packet: each way fails verification with its own reason, and is never served."""

import hashlib
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.services import Verb
from audit.triggers import audit_triggers_drop, audit_triggers_install
from signoff.models import Packet
from signoff.packets import Verdict, packet_verify
from signoff.packets.signing import pdf_sign
from tests.signoff.packet_builders import approved_request, attachment_rewritten

pytestmark = pytest.mark.django_db

VERIFY_API = "/api/v1/packets/verify"


@pytest.fixture
def packet(signing, erin, rita, carl, lena, django_capture_on_commit_callbacks) -> Packet:
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena})
    return Packet.objects.get(request=request)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_the_issued_file_is_genuine_with_a_valid_signature(packet):
    found = packet_verify(data=packet.file.read())
    assert found.verdict == Verdict.GENUINE and found.ok and found.stored_file_intact is True
    assert found.reasons[0].startswith(f"This is {packet.packet_id}, unaltered; signature valid, signed by")
    assert found.signature is not None and found.signature.ok


def test_a_byte_flipped_in_the_document_is_altered_after_signing(packet):
    data = packet.file.read()
    found = packet_verify(data=_flip(data, packet.unsigned_size // 2))
    assert found.verdict == Verdict.ALTERED and not found.ok and found.packet is None
    assert found.reasons == (
        f"This is packet {packet.packet_id} signed by the portal, but bytes were changed after signing.",
    )


def test_bytes_appended_after_signing_are_named(packet):
    found = packet_verify(data=packet.file.read() + b"%% appended\n")
    assert found.verdict == Verdict.APPENDED and not found.ok
    assert found.reasons == (f"This is {packet.packet_id} with 12 bytes appended after it was issued.",)


def test_a_re_signed_document_is_not_the_packet_issued(packet):
    data = packet.file.read()
    resigned = pdf_sign(data=data[: packet.unsigned_size], packet_id=packet.packet_id).data
    assert resigned != data
    found = packet_verify(data=resigned)
    assert found.verdict == Verdict.ALTERED
    assert found.reasons == (f"The document is {packet.packet_id}, but its signature part is not the one issued.",)


def _packet_json_forged(data: bytes) -> bytes:
    """packet.json claiming another use case: what someone would rewrite to pass the packet off as another's."""
    packet_json = json.loads(PdfReader(io.BytesIO(data)).attachments["packet.json"][0])
    return json.dumps({**packet_json, "use_case": "another-use-case"}).encode()


def test_an_attachment_rewritten_in_a_revision_after_the_signature_is_named(packet):
    data = packet.file.read()
    tampered = attachment_rewritten(data, "packet.json", _packet_json_forged(data), incremental=True)
    assert (
        tampered.startswith(data)
        and PdfReader(io.BytesIO(tampered)).attachments["packet.json"][0]
        != (PdfReader(io.BytesIO(data)).attachments["packet.json"][0])
    )
    found = packet_verify(data=tampered)
    assert found.verdict == Verdict.ATTACHMENT_ALTERED and not found.ok
    assert found.reasons == (
        f"This is {packet.packet_id} with its attachment packet.json changed after it was issued, "
        "in a revision added after the signature.",
    )
    assert found.signature is not None and found.signature.problem == "bytes were added to the file after it was signed"


def test_an_attachment_rewritten_with_the_whole_file_saved_again_is_named(packet):
    data = packet.file.read()
    tampered = attachment_rewritten(data, "packet.json", _packet_json_forged(data), incremental=False)
    assert not tampered.startswith(data[: packet.unsigned_size])
    found = packet_verify(data=tampered)
    assert found.verdict == Verdict.ATTACHMENT_ALTERED and not found.ok and found.packet is None
    assert found.reasons == (
        f"This is packet {packet.packet_id}, but its attachment packet.json is not the one issued: "
        "it was rewritten and the file saved again.",
    )
    # Saved again unchanged, it is only a file rewritten after signing, not an attachment altered.
    resaved = attachment_rewritten(
        data, "packet.json", PdfReader(io.BytesIO(data)).attachments["packet.json"][0], incremental=False
    )
    assert packet_verify(data=resaved).verdict == Verdict.ALTERED


def _replace_stored_file_and_row(packet: Packet) -> bytes:
    """What someone with database and storage access would do: a new file, and the row updated to match."""
    with open(packet.file.path, "rb") as fh:
        data = fh.read()
    forged = pdf_sign(data=data[: packet.unsigned_size].replace(b"Support ticket", b"Support tickeT"), packet_id="x")
    with open(packet.file.path, "wb") as fh:
        fh.write(forged.data)
    Packet.objects.filter(pk=packet.pk).update(sha256=hashlib.sha256(forged.data).hexdigest(), size=len(forged.data))
    return forged.data


def test_a_stored_file_replaced_with_its_row_is_refused_audited_and_never_served(client, audrey, packet):
    original = packet.file.read()
    forged = _replace_stored_file_and_row(packet)
    client.force_login(audrey)
    response = client.get(reverse("signoff:packet-download", args=[packet.packet_id]))
    assert response.status_code == 409
    assert b"is not the file the audit chain records as issued" in response.content
    assert forged not in response.content and not AuditEvent.objects.filter(verb=Verb.PACKET_DOWNLOADED).exists()
    refused = AuditEvent.objects.get(verb=Verb.PACKET_COPY_REFUSED)
    assert refused.actor == audrey and refused.changes["stored_sha256"] == hashlib.sha256(forged).hexdigest()
    assert refused.changes["issued_sha256"] == hashlib.sha256(original).hexdigest()

    api = client.get(f"/api/v1/packets/{packet.packet_id}.pdf")
    assert api.status_code == 409 and api["Content-Type"] == "application/json"

    found = packet_verify(data=forged)
    assert found.verdict == Verdict.REPLACED
    assert "the stored file and its record were replaced together" in found.reasons[0]
    genuine = packet_verify(data=original)
    assert genuine.verdict == Verdict.GENUINE and genuine.stored_file_intact is False
    assert genuine.reasons[1] == f"The portal's record of {packet.packet_id} was changed after the packet was issued."


def test_an_altered_chain_event_leaves_the_packet_unverifiable(packet):
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET changes = %s WHERE verb = %s",
                ['{"sha256": "%s", "size": 1}' % ("0" * 64), Verb.PACKET_RENDERED],
            )
    finally:
        audit_triggers_install(connection)
    found = packet_verify(data=packet.file.read())
    assert found.verdict == Verdict.RECORD_ALTERED
    assert found.reasons == (
        f"The audit chain's record of {packet.packet_id} is missing or was altered: it cannot be verified.",
    )


def test_a_download_records_the_hash_of_the_bytes_served(client, audrey, packet):
    client.force_login(audrey)
    response = client.get(reverse("signoff:packet-download", args=[packet.packet_id]))
    served = b"".join(response.streaming_content)
    event = AuditEvent.objects.get(verb=Verb.PACKET_DOWNLOADED)
    assert event.changes["sha256"] == hashlib.sha256(served).hexdigest() == packet.sha256


def test_the_public_api_verifies_a_file_without_an_account(client, packet):
    response = client.post(
        VERIFY_API, {"file": SimpleUploadedFile("p.pdf", packet.file.read() + b"tail\n", "application/pdf")}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "bytes_appended" and body["ok"] is False and body["packet_id"] == packet.packet_id
    assert body["reasons"] == [f"This is {packet.packet_id} with 5 bytes appended after it was issued."]
    assert body["signature"]["present"] is True and body["signature"]["valid"] is False
    assert set(body) == {
        "verdict",
        "ok",
        "sha256",
        "reasons",
        "packet_id",
        "issued_at",
        "stored_copy_intact",
        "signature",
    }
    by_hash = client.post(VERIFY_API, {"sha256": packet.sha256}, content_type="application/json").json()
    assert by_hash["verdict"] == "genuine" and by_hash["reasons"] == [
        f"This SHA-256 is that of {packet.packet_id} as issued."
    ]
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_VERIFIED).exists()


def test_the_public_api_names_bad_input(client, db):
    missing = client.post(VERIFY_API, {}, content_type="application/json")
    assert missing.status_code == 400 and "SHA-256" in str(missing.json())
    bad = client.post(VERIFY_API, {"sha256": "xyz"}, content_type="application/json")
    assert bad.status_code == 400 and "That is not a SHA-256" in str(bad.json())
    both = client.post(VERIFY_API, {"sha256": "0" * 64, "file": SimpleUploadedFile("p.pdf", b"%PDF-1.7\n")})
    assert both.status_code == 400 and "not both" in str(both.json())


def test_the_public_api_is_rate_limited(client, settings, db):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "packet_verify": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    codes = [
        client.post(VERIFY_API, {"sha256": "0" * 64}, content_type="application/json").status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    page = client.post(reverse("signoff:packet-verify"), {"sha256": "0" * 64})
    assert page.status_code == 429 and "Too many verifications from here" in page.content.decode()


def test_verify_audit_cross_checks_each_packet_against_its_chain_event(packet, capsys):
    from django.core.management import call_command

    call_command("verify_audit")
    assert capsys.readouterr().out.startswith("Audit chain intact")
    with open(packet.file.path, "ab") as fh:
        fh.write(b"\n")
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    assert f"packet {packet.packet_id}: its stored file is missing or is not the file this event records" in (
        capsys.readouterr().err
    )
    _replace_stored_file_and_row(packet)
    with pytest.raises(SystemExit):
        call_command("verify_audit")
    assert f"packet {packet.packet_id}: its record no longer matches this packet.rendered event" in (
        capsys.readouterr().err
    )
