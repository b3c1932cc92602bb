"""Database triggers that keep the trail append-only, on SQLite and PostgreSQL.

- Events: no UPDATE, no DELETE, and on PostgreSQL no TRUNCATE (a statement-level
  trigger: TRUNCATE fires no row triggers, so row triggers alone would let it
  empty the table).
- The chain head: updated on every event, but never deleted or truncated, so
  the count of events the trail has ever held survives.

Kept here rather than inline in the migration so that the tests proving that
verification notices tampering can drop them, tamper, and put them back.
"""

from typing import Any

EVENTS = "audit_auditevent"
HEAD = "audit_auditchainhead"
MESSAGE = "the audit trail is append-only"

_INSTALL = {
    "sqlite": [
        f"CREATE TRIGGER {EVENTS}_no_update BEFORE UPDATE ON {EVENTS} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END;",
        f"CREATE TRIGGER {EVENTS}_no_delete BEFORE DELETE ON {EVENTS} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END;",
        f"CREATE TRIGGER {HEAD}_no_delete BEFORE DELETE ON {HEAD} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE of the chain head refused'); END;",
    ],
    "postgresql": [
        f"CREATE OR REPLACE FUNCTION {EVENTS}_refuse() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;",
        f"CREATE TRIGGER {EVENTS}_no_update_delete BEFORE UPDATE OR DELETE ON {EVENTS} "
        f"FOR EACH ROW EXECUTE FUNCTION {EVENTS}_refuse();",
        f"CREATE TRIGGER {EVENTS}_no_truncate BEFORE TRUNCATE ON {EVENTS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {EVENTS}_refuse();",
        f"CREATE TRIGGER {HEAD}_no_delete BEFORE DELETE ON {HEAD} FOR EACH ROW EXECUTE FUNCTION {EVENTS}_refuse();",
        f"CREATE TRIGGER {HEAD}_no_truncate BEFORE TRUNCATE ON {HEAD} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {EVENTS}_refuse();",
    ],
}

_DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {EVENTS}_no_update;",
        f"DROP TRIGGER IF EXISTS {EVENTS}_no_delete;",
        f"DROP TRIGGER IF EXISTS {HEAD}_no_delete;",
    ],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS {EVENTS}_no_update_delete ON {EVENTS};",
        f"DROP TRIGGER IF EXISTS {EVENTS}_no_truncate ON {EVENTS};",
        f"DROP TRIGGER IF EXISTS {HEAD}_no_delete ON {HEAD};",
        f"DROP TRIGGER IF EXISTS {HEAD}_no_truncate ON {HEAD};",
        f"DROP FUNCTION IF EXISTS {EVENTS}_refuse();",
    ],
}


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    if connection.vendor not in statements:
        raise NotImplementedError(f"No append-only triggers for the {connection.vendor} database.")
    with connection.cursor() as cursor:
        for sql in statements[connection.vendor]:
            cursor.execute(sql)


def audit_triggers_install(connection: Any) -> None:
    _run(connection, _INSTALL)


def audit_triggers_drop(connection: Any) -> None:
    _run(connection, _DROP)
