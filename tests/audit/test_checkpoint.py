"""Signed checkpoints of the audit head: proof, kept outside the database, that a later chain extends it."""

import json

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.db import connection, transaction

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
    signed = signing.loads(checkpoint, salt="stagegate.audit-checkpoint")
    assert (signed["seq"], signed["hash"]) == (2, AuditEvent.objects.get(seq=2).hash)
    _events(None, 3)
    call_command("audit_checkpoint", verify=checkpoint)
    assert json.loads(capsys.readouterr().out) == {"ok": True, **signed}


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
    signed = signing.loads(checkpoint, salt="stagegate.audit-checkpoint")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_checkpoint", verify=checkpoint)
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"The chain does not extend the checkpoint of event #2 ({signed['at']}): "
        "event #2 no longer has the checkpoint's hash; the trail was rewritten or truncated.\n"
    )


def test_a_forged_checkpoint_is_refused(capsys):
    _events(None, 1)
    checkpoint = _checkpoint(capsys)
    with pytest.raises(CommandError, match="bad signature"):
        call_command("audit_checkpoint", verify=checkpoint[:-2] + "xx")
