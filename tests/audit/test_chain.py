import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import Verb, audit_record
from audit.triggers import audit_triggers_drop, audit_triggers_install
from audit.verify import audit_verify

pytestmark = pytest.mark.django_db


def _record_three(actor):
    with transaction.atomic():
        for n in range(3):
            audit_record(
                actor=actor, actor_label="tester", verb=Verb.USE_CASE_UPDATED, changes={"n": n, "text": "ünïcode"}
            )


def test_events_chain_to_their_predecessor():
    _record_three(None)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == AuditEvent.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify() is None


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET verb = 'x'", "DELETE FROM audit_auditevent"])
def test_database_refuses_update_and_delete(statement):
    _record_three(None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 3
    assert set(AuditEvent.objects.values_list("verb", flat=True)) == {Verb.USE_CASE_UPDATED}


def test_orm_update_is_refused_too():
    _record_three(None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(verb="stage.promoted")
    assert AuditEvent.objects.get(seq=2).verb == Verb.USE_CASE_UPDATED


def test_verify_audit_names_the_first_altered_event(capsys):
    _record_three(None)
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
        "its columns no longer match its hashed text (the row was altered)",
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"Audit chain broken at event #2 (id {altered.pk}): "
        "its columns no longer match its hashed text (the row was altered)\n"
    )


def test_verify_audit_detects_a_deleted_tail():
    _record_three(None)
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE seq = 3")
    finally:
        audit_triggers_install(connection)
    break_ = audit_verify()
    assert (break_.seq, break_.reason) == (3, "the trail holds 2 events but has held 3: it was emptied or cut short")


def _tamper(*statements, params=()):
    audit_triggers_drop(connection)
    try:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
    finally:
        audit_triggers_install(connection)


def test_an_emptied_trail_fails_verification(capsys):
    _record_three(None)
    _tamper("DELETE FROM audit_auditevent")
    chain_break = audit_verify()
    assert chain_break is not None
    assert chain_break.reason == "the trail holds 0 events but has held 3: it was emptied or cut short"
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code == 1
    assert "emptied or cut short" in capsys.readouterr().err


def test_a_column_changed_with_its_hash_text_left_alone_is_caught():
    _record_three(None)
    _tamper("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE seq = 2")
    chain_break = audit_verify()
    assert (chain_break.seq, chain_break.reason) == (
        2,
        "its columns no longer match its hashed text (the row was altered)",
    )


def test_the_chain_head_cannot_be_deleted():
    _record_three(None)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert audit_verify() is None


def test_a_removed_chain_head_fails_verification():
    _record_three(None)
    _tamper("DELETE FROM audit_auditchainhead")
    assert audit_verify().reason == "the chain head is missing: the trail was removed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_auditchainhead"])
def test_postgres_refuses_truncate(table):
    # Committed first: TRUNCATE is refused by the trigger, not by pending constraint checks of an open transaction.
    _record_three(None)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
    assert AuditEvent.objects.count() == 3
    assert audit_verify() is None
