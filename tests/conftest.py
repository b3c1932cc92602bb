"""Shared fixtures: named actors, services, and the rules for service-bound tests.

Tests marked `postgres` need PostgreSQL and tests marked `redis` need Redis.
Without DATABASE_URL / REDIS_URL naming them they are skipped, except in CI
(CI=true), where a missing service fails the test instead of hiding it.
"""

import os

import pytest
from django.core.cache import cache
from django.db import connection

from audit.triggers import audit_triggers_drop, audit_triggers_install
from lifecycle.models import Tier, UseCase
from portal.celery import app as celery_app
from signoff import services
from tests import IN_CI, factories
from tests.broker import broker, broker_to_ourselves, worker  # noqa: F401 (fixtures: a real worker on Redis)
from tests.database import django_db_createdb, django_db_setup  # noqa: F401 (fixtures: reuse the database only if pristine)
from tests.signoff.helpers import business_owner, high_risk_use_case, supply_evidence


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not os.getenv("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://..."
    return None


def pytest_collection_modifyitems(items):
    """Every transactional test restores the rows migrations create (roles, functions, gate policy).

    A transactional test ends with a flush. Flushed without serialized rollback,
    the database keeps no roles for the next test, and the flush re-creates
    content types that a later test's restore then inserts a second time. Mixing
    the two breaks whichever runs second, so none is left without it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            restoring = pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True)
            item.add_marker(restoring, append=False)


@pytest.fixture(autouse=True)
def _require_services(request):
    for marker in ("postgres", "redis"):
        if request.node.get_closest_marker(marker) and (reason := _service_missing(marker)):
            if IN_CI:
                pytest.fail(f"CI must not skip service-bound tests: {reason}")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _audit_triggers_around_flush(request):
    """Let a transactional test's teardown empty the append-only audit tables.

    Transactional tests end with a flush (TRUNCATE on PostgreSQL, DELETE on
    SQLite) that the audit triggers refuse, as they must in production. Such a
    test sets the triggers up itself (after the database fixture, so they come
    down before its flush) and drops them at the end; the next one puts them back.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    audit_triggers_drop(connection)
    audit_triggers_install(connection)
    yield
    audit_triggers_drop(connection)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Throttle counters start at zero in every test, as they would for a new client.

    Each test process has a cache of its own: with Redis as the cache, parallel test processes would
    clear, and count into, each other's throttles.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def checkpoint_key_file(tmp_path_factory):
    from audit.checkpoints import ed25519_key_write

    path = tmp_path_factory.mktemp("checkpoint") / "checkpoint-key.pem"
    ed25519_key_write(path)
    return path


@pytest.fixture(autouse=True)
def _checkpoint_key(settings, checkpoint_key_file):
    settings.AUDIT_CHECKPOINT_KEY = str(checkpoint_key_file)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs half a second per user created; tests need no such protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_tasks(request):
    """Tasks run in-process unless a test asks for the real worker on Redis."""
    eager = request.node.get_closest_marker("redis") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def erin(db):
    """An engineer who owns use cases."""
    return factories.UserFactory(username="erin", first_name="Erin", last_name="Engel", roles=["engineer"])


@pytest.fixture
def eric(db):
    """Another engineer, who owns nothing of erin's."""
    return factories.UserFactory(username="eric", first_name="Eric", last_name="Ekwueme", roles=["engineer"])


@pytest.fixture
def rita(db):
    """Risk lead."""
    return factories.reviewer("rita", "risk", lead=True)


@pytest.fixture
def ravi(db):
    """Risk member, not a lead."""
    return factories.reviewer("ravi", "risk")


@pytest.fixture
def carl(db):
    """Compliance lead."""
    return factories.reviewer("carl", "compliance", lead=True)


@pytest.fixture
def cora(db):
    """Compliance member."""
    return factories.reviewer("cora", "compliance")


@pytest.fixture
def lena(db):
    """Legal lead."""
    return factories.reviewer("lena", "legal", lead=True)


@pytest.fixture
def leo(db):
    """Legal member."""
    return factories.reviewer("leo", "legal")


@pytest.fixture
def audrey(db):
    """Auditor: reads everything, changes nothing."""
    return factories.UserFactory(username="audrey", first_name="Audrey", roles=["auditor"])


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", roles=["admin"], is_staff=True, is_superuser=True)


@pytest.fixture
def nobody(db):
    """Signed in, but holding no role."""
    return factories.UserFactory(username="nobody", roles=[])


@pytest.fixture
def use_case(erin):
    """erin's use case at stage 0, classified minimal."""
    return factories.UseCaseFactory(slug="support-summaries", title="Support ticket summaries", technical_owner=erin)


# A high-risk use case ready for stage 3, and a request for it in review.


@pytest.fixture
def bob(db):
    """Business owner of the high-risk use case."""
    return business_owner("bob")


@pytest.fixture
def credit(erin, bob):
    """erin's high-risk use case at stage 2 with every stage-3 requirement supplied."""
    use_case = high_risk_use_case(erin, bob, stage=2)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    return UseCase.objects.get(pk=use_case.pk)


@pytest.fixture
def in_review(credit, erin, rita, carl, lena, ravi, cora, leo):
    """A stage-3 request in review, waiting on risk, compliance and legal."""
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    return services.readiness_request_submit(request=request, actor=erin)
