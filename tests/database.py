"""The test database: reused between local runs only while it is exactly as the migrations left it.

pyproject's addopts ask for `--reuse-db`, so a local run skips creating and
migrating the database (seconds per xdist worker on PostgreSQL). A kept
database is only safe to reuse if it holds the rows the migrations create
(roles, review functions, gate policy, content types) and nothing else, and if
it was migrated by the migrations on disk now:

- a transactional test ends with a flush, so a run whose last test on a
  worker was transactional would leave that worker's database empty;
- an interrupted run can leave committed rows behind;
- another branch can have other migrations.

So when the session ends, a flushed database is restored from the copy Django
serialized at the start, and its digest (every row of every table, and the
migrations applied) is kept in pytest's cache. The next run reuses the
database only if its digest is still that one and its migrations are those on
disk; otherwise it is created afresh, as `--create-db` would. CI always
creates it afresh (Makefile and `IN_CI`); an in-memory SQLite database is never
kept, so none of this applies to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tests import IN_CI


def _cache_key(name: str) -> str:
    return f"stagegate/kept-database/{name}"


def _applied_migrations(connection) -> set[tuple[str, str]]:
    """Read with SQL, not MigrationRecorder: a copied connection has no alias the ORM could route to."""
    table = MigrationRecorder.Migration._meta.db_table
    if table not in connection.introspection.table_names():
        return set()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {connection.ops.quote_name(table)}")
        return set(cursor.fetchall())


def _value(value):
    # Django's serialized copy keeps times to the millisecond; a restored row must digest as the original did.
    if isinstance(value, dt.datetime | dt.time):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def _digest(connection) -> str:
    """Every row of every table the project's models use, and the migrations applied."""
    digest = hashlib.sha256()
    digest.update(repr(sorted(_applied_migrations(connection))).encode())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True, include_views=False)):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            digest.update(table.encode())
            for row in sorted(repr(tuple(map(_value, row))) for row in cursor.fetchall()):
                digest.update(row.encode())
    return digest.hexdigest()


def _migrated_as_on_disk(connection) -> bool:
    return _applied_migrations(connection) == set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _kept(connection, name: str) -> bool:
    """Whether the test database of this name is one that outlives the run (not SQLite in memory)."""
    return not (connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name))


def _kept_database_is_pristine(config: pytest.Config, alias: str) -> bool:
    connection = connections[alias]
    name = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    if not _kept(connection, name):
        return True
    # Without pytest's cache (-p no:cacheprovider) there is nothing to compare with: create it afresh.
    cache = getattr(config, "cache", None)
    expected = cache.get(_cache_key(name), None) if cache is not None else None
    if expected is None:
        return False
    kept = connection.copy(alias=f"{alias}_kept")
    kept.settings_dict["NAME"] = name
    try:
        return _migrated_as_on_disk(kept) and _digest(kept) == expected
    except DatabaseError:  # no such database (yet): creating it is what happens anyway
        return False
    finally:
        kept.close()


@pytest.fixture(scope="session")
def django_db_createdb(
    request, django_db_createdb, django_db_keepdb, django_db_modify_db_settings, django_db_blocker
) -> bool:
    """Create the test database afresh in CI, on --create-db, and whenever the kept one is not pristine."""
    if IN_CI or django_db_createdb:
        return True
    if not django_db_keepdb:
        return False
    with django_db_blocker.unblock():
        return not all(_kept_database_is_pristine(request.config, alias) for alias in connections)


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_keepdb, django_db_blocker):
    """Remember the kept database as set up; at the end, leave it so (or forget it, to be created next time)."""
    cache = getattr(request.config, "cache", None)
    if not django_db_keepdb or cache is None:
        yield
        return
    # Set up by now: each connection's NAME is its test database.
    kept = [alias for alias in connections if _kept(connections[alias], connections[alias].settings_dict["NAME"])]
    pristine = {}
    with django_db_blocker.unblock():
        for alias in kept:
            pristine[alias] = _digest(connections[alias])
            cache.set(_cache_key(connections[alias].settings_dict["NAME"]), pristine[alias])
    yield
    with django_db_blocker.unblock():
        for alias in kept:
            connection = connections[alias]
            if _digest(connection) == pristine[alias]:
                continue
            # A transactional test flushed it: put back what the migrations made, from Django's serialized copy.
            serialized = getattr(connection, "_test_serialized_contents", None)
            if serialized is not None:
                call_command("flush", database=alias, interactive=False, inhibit_post_migrate=True, verbosity=0)
                connection.creation.deserialize_db_from_string(serialized)
            if _digest(connection) != pristine[alias]:
                cache.set(_cache_key(connection.settings_dict["NAME"]), None)
