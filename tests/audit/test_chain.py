import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import Verb, audit_record, audit_verify
from audit.triggers import audit_triggers_drop, audit_triggers_install

pytestmark = pytest.mark.django_db


def _record_three(actor):
    with transaction.atomic():
        for n in range(3):
            audit_record(actor=actor, verb=Verb.USE_CASE_UPDATED, changes={"n": n, "text": "ünïcode"})


def test_events_chain_to_their_predecessor(erin):
    _record_three(erin)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == AuditEvent.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify() is None


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET verb = 'x'", "DELETE FROM audit_auditevent"])
def test_database_refuses_update_and_delete(erin, statement):
    _record_three(erin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 3
    assert set(AuditEvent.objects.values_list("verb", flat=True)) == {Verb.USE_CASE_UPDATED}


def test_orm_update_is_refused_too(erin):
    _record_three(erin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(verb="stage.promoted")
    assert AuditEvent.objects.get(seq=2).verb == Verb.USE_CASE_UPDATED


def test_verify_audit_names_the_first_altered_event(erin, capsys):
    _record_three(erin)
    call_command("verify_audit")
    head = AuditEvent.objects.get(seq=3)
    assert capsys.readouterr().out == f"Audit chain intact: 3 events, head #3 {head.hash}\n"

    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET changes = %s WHERE seq = 2", ['{"n": 99}'])
    finally:
        audit_triggers_install(connection)

    altered = AuditEvent.objects.get(seq=2)
    break_ = audit_verify()
    assert (break_.seq, break_.event_id, break_.reason) == (
        2,
        altered.pk,
        "its content does not match its hash (the row was altered)",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"Audit chain broken at event #2 (id {altered.pk}): its content does not match its hash (the row was altered)\n"
    )


def test_verify_audit_detects_a_deleted_tail(erin):
    _record_three(erin)
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    finally:
        audit_triggers_install(connection)
    break_ = audit_verify()
    assert (break_.seq, break_.event_id, break_.reason) == (
        2,
        AuditEvent.objects.get(seq=2).pk,
        "the chain head does not match the newest event",
    )
