"""Checkpoints of the audit head signed with Ed25519: kept outside the database, checked by anyone offline."""

import base64
import json
import subprocess

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.checkpoints import CheckpointError, checkpoint_read
from audit.models import AuditEvent
from audit.services import Verb, audit_record
from audit.triggers import audit_triggers_drop, audit_triggers_install

pytestmark = pytest.mark.django_db


def _events(actor, n):
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=actor, actor_label="tester", verb=Verb.USE_CASE_UPDATED, changes={"n": i})


def _checkpoint(capsys) -> str:
    call_command("audit_checkpoint")
    return capsys.readouterr().out.strip()


def test_a_checkpoint_still_verifies_after_the_chain_grows(capsys):
    _events(None, 2)
    checkpoint = _checkpoint(capsys)
    payload = json.loads(json.loads(checkpoint)["payload"])
    assert (payload["seq"], payload["hash"]) == (2, AuditEvent.objects.get(seq=2).hash)
    _events(None, 3)
    call_command("audit_checkpoint", verify=checkpoint)
    assert json.loads(capsys.readouterr().out) == {"ok": True, "seq": 2, "hash": payload["hash"], "at": payload["at"]}
    call_command("verify_audit", against=checkpoint)
    assert capsys.readouterr().out.startswith("Audit chain intact: 5 events")


def test_anyone_checks_a_checkpoint_offline_with_the_published_key(client, capsys, tmp_path):
    _events(None, 1)
    checkpoint = _checkpoint(capsys)
    response = client.get("/audit/checkpoint-key.pem")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-pem-file"
    public = load_pem_public_key(response.content)
    assert checkpoint_read(checkpoint, public_key=public).seq == 1
    # With OpenSSL alone, as docs/audit-checkpoints.md says.
    outer = json.loads(checkpoint)
    (tmp_path / "key.pem").write_bytes(response.content)
    (tmp_path / "payload").write_bytes(outer["payload"].encode())
    (tmp_path / "signature").write_bytes(base64.b64decode(outer["signature"]))
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "payload"]
    result = subprocess.run([*command, "-sigfile", "signature"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout
    (tmp_path / "payload").write_bytes(outer["payload"].replace('"seq":1', '"seq":9').encode())
    forged = subprocess.run([*command, "-sigfile", "signature"], cwd=tmp_path, capture_output=True, text=True)
    assert forged.returncode != 0


def test_a_rebuilt_chain_fails_the_checkpoint(capsys):
    _events(None, 2)
    checkpoint = _checkpoint(capsys)
    # A database owner rewrites history: drop the triggers, delete, and chain anew.
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("UPDATE audit_auditchainhead SET seq = 0, hash = %s", ["0" * 64])
    finally:
        audit_triggers_install(connection)
    _events(None, 2)
    at = json.loads(json.loads(checkpoint)["payload"])["at"]
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_checkpoint", verify=checkpoint)
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"The chain does not extend the checkpoint of event #2 ({at}): "
        "event #2 no longer has the checkpoint's hash; the trail was rewritten or truncated.\n"
    )
    with pytest.raises(SystemExit):
        call_command("verify_audit", against=checkpoint)
    assert "event #2 no longer has the checkpoint's hash" in capsys.readouterr().err


def test_a_forged_checkpoint_is_refused(capsys):
    _events(None, 1)
    outer = json.loads(_checkpoint(capsys))
    outer["payload"] = outer["payload"].replace('"seq":1', '"seq":2')
    with pytest.raises(CommandError, match="signature is not valid"):
        call_command("audit_checkpoint", verify=json.dumps(outer))
    with pytest.raises(CheckpointError, match="Not a checkpoint"):
        checkpoint_read("not json")


def test_verify_audit_takes_an_expected_head(capsys):
    _events(None, 3)
    second = AuditEvent.objects.get(seq=2)
    call_command("verify_audit", head=f"2:{second.hash}")
    assert capsys.readouterr().out.startswith("Audit chain intact: 3 events")
    with pytest.raises(SystemExit):
        call_command("verify_audit", head=f"2:{'a' * 64}")
    assert "event #2 no longer has the checkpoint's hash" in capsys.readouterr().err
    with pytest.raises(CommandError, match="SEQ:HASH"):
        call_command("verify_audit", head="two")
