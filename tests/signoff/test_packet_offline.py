"""`stagegate verify PACKET.pdf`: the packet checked offline, by a process with no portal and no database."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from pypdf import PdfReader

from audit.models import AuditEvent
from audit.triggers import audit_triggers_drop, audit_triggers_install
from signoff.models import Packet
from tests.client.conftest import CLIENT_SRC
from tests.signoff.packet_builders import approved_request, attachment_rewritten

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(rita, carl, lena):
    return {"risk": rita, "compliance": carl, "legal": lena}


def _packet(erin, leads, capture) -> Packet:
    with capture(execute=True):
        request = approved_request(owner=erin, leads=leads)
    return Packet.objects.get(request=request)


def stagegate_verify(path, *trust) -> subprocess.CompletedProcess:
    """The client as a user runs it: its own process, no portal address, no token, no Django settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAGEGATE_", "DJANGO_", "DATABASE_"))}
    env["PYTHONPATH"] = str(CLIENT_SRC)
    command = [sys.executable, "-m", "stagegate", "verify", str(path)]
    for cert in trust:
        command += ["--trust", str(cert)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_a_timestamped_packet_passes_every_offline_check(
    timestamped_signing, tmp_path, erin, leads, django_capture_on_commit_callbacks
):
    packet = _packet(erin, leads, django_capture_on_commit_callbacks)
    path = tmp_path / f"{packet.packet_id}.pdf"
    path.write_bytes(packet.file.read())
    result = stagegate_verify(path, timestamped_signing.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: signature intact over the whole file, signed by" in result.stdout
    tsa = "Common Name: Stagegate Test Timestamp Authority, Organization: Stagegate Test PKI, Country: BE"
    assert f"by {tsa}, trusted" in result.stdout
    assert "ok: the signing certificate chains to a trusted certificate" in result.stdout
    assert "ok: attachments present: packet.json, policy.json, events.json" in result.stdout
    assert f"the newest is the chain head #{packet.audit_head_seq} {packet.audit_head_hash}" in result.stdout

    # The attachments are the data of the document (PDF/A-3), in canonical JSON.
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    specs = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    assert sorted(specs) == ["events.json", "packet.json", "policy.json"]
    assert {str(spec["/AFRelationship"]) for spec in specs.values()} == {"/Data"}
    policy = json.loads(reader.attachments["policy.json"][0])
    assert policy["gate"]["requirements"] and policy["format"] == "stagegate-packet/1"

    unknown = stagegate_verify(path)
    assert unknown.returncode == 1 and "give --trust CERT.pem" in unknown.stdout

    appended = tmp_path / "appended.pdf"
    appended.write_bytes(path.read_bytes() + b"\n% more\n")
    result = stagegate_verify(appended, timestamped_signing.root)
    assert result.returncode == 1 and "FAILED: bytes were added to the file after it was signed" in result.stdout

    flipped = bytearray(path.read_bytes())
    flipped[packet.unsigned_size // 3] ^= 0x01
    (tmp_path / "flipped.pdf").write_bytes(bytes(flipped))
    result = stagegate_verify(tmp_path / "flipped.pdf", timestamped_signing.root)
    assert result.returncode == 1 and "bytes were changed after signing" in result.stdout

    (tmp_path / "not.pdf").write_bytes(b"hello")
    assert stagegate_verify(tmp_path / "not.pdf").returncode == 2


def test_an_attachment_rewritten_after_signing_fails_offline_with_its_own_reason(
    signing, tmp_path, erin, leads, django_capture_on_commit_callbacks
):
    data = _packet(erin, leads, django_capture_on_commit_callbacks).file.read()
    packet_json = json.loads(PdfReader(io.BytesIO(data)).attachments["packet.json"][0])
    forged = json.dumps({**packet_json, "use_case": "another-use-case"}).encode()

    later_revision = tmp_path / "later-revision.pdf"
    later_revision.write_bytes(attachment_rewritten(data, "packet.json", forged, incremental=True))
    result = stagegate_verify(later_revision, signing[1])
    assert result.returncode == 1
    assert "FAILED: the attachment packet.json was changed after signing, in a revision added later" in result.stdout
    assert "bytes were added" not in result.stdout

    saved_again = tmp_path / "saved-again.pdf"
    saved_again.write_bytes(attachment_rewritten(data, "packet.json", forged, incremental=False))
    result = stagegate_verify(saved_again, signing[1])
    assert result.returncode == 1
    assert "it was saved again from start to end after signing" in result.stdout
    assert "bytes were changed after signing" not in result.stdout


def test_an_event_row_altered_before_rendering_fails_the_offline_chain_check(
    signing, tmp_path, erin, leads, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        request = approved_request(owner=erin, leads=leads)
    target = AuditEvent.objects.filter(request_id=request.pk).order_by("seq").first()
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET canonical = replace(canonical, %s, %s) WHERE id = %s",
                ['"verb":"', '"verb":"x', target.pk],
            )
    finally:
        audit_triggers_install(connection)
    from signoff.packets import packet_render

    packet = packet_render(request=request)
    path = tmp_path / "packet.pdf"
    path.write_bytes(packet.file.read())
    result = stagegate_verify(path, signing[1])
    assert result.returncode == 1
    assert f"FAILED: event #{target.seq}: its canonical text does not hash to its hash (altered)" in result.stdout
