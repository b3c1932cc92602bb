"""A real Celery worker on the real Redis, for the tests marked `redis`.

The fixtures are registered in tests/conftest.py; tests import the helpers.
"""

import fcntl
import hashlib
import logging
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings

from core import tasks as core_tasks
from portal.celery import app as celery_app


def on_real_services(test):
    """A real worker thread on the real Redis, reading committed rows from PostgreSQL."""
    for mark in (
        pytest.mark.redis,
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ):
        test = mark(test)
    return test


def reset_broker_connections() -> None:
    """Drop the app's pooled broker connections so the next send connects to the configured URL."""
    # Kombu keeps global pools per broker URL, and a stopped worker closes its
    # own: clear them all, then let the app pick fresh ones on its next send.
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_to_ourselves():
    """One test at a time on this broker, across xdist workers and concurrent runs.

    A worker takes whatever task is on its queue and runs it against its own
    test database, and the broker fixture purges the queue: two tests on one
    broker at once would take, or throw away, each other's tasks.
    """
    url = django_settings.CELERY_BROKER_URL
    lock = Path(tempfile.gettempdir()) / f"stagegate-broker-{hashlib.sha256(url.encode()).hexdigest()[:16]}.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield
        fcntl.flock(held, fcntl.LOCK_UN)


@pytest.fixture
def broker(broker_to_ourselves):
    """The real Redis from REDIS_URL, emptied of other runs' messages; restored afterwards."""
    real = django_settings.CELERY_BROKER_URL
    hijack = celery_app.conf.worker_hijack_root_logger
    # An embedded worker must not take over the test run's logging.
    celery_app.conf.worker_hijack_root_logger = False
    celery_app.conf.broker_url = real
    reset_broker_connections()
    celery_app.control.purge()
    core_tasks._broker_down = False
    yield real
    celery_app.conf.broker_url = real
    celery_app.conf.worker_hijack_root_logger = hijack
    reset_broker_connections()
    core_tasks._broker_down = False


@pytest.fixture
def worker(broker):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as running:
        yield running


class _Keep(logging.Handler):
    def __init__(self, level: int, records: list[logging.LogRecord]) -> None:
        super().__init__(level)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def records_of(name: str, level: int):
    """The records one logger emits, caught by a handler on that logger itself.

    Not caplog: a starting worker runs django.setup(), whose logging
    configuration replaces the root logger's handlers, caplog's among them.
    """
    records: list[logging.LogRecord] = []
    handler = _Keep(level, records)
    logger = logging.getLogger(name)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not do it in time")
        time.sleep(0.1)
