"""A real HTTP receiver in its own process, endpoints pointing at it, and the Celery worker of tests/test_celery.py."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.broker import broker, broker_to_ourselves, worker  # noqa: F401 (fixtures the worker-bound tests use)
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_create

RECEIVER = Path(__file__).with_name("receiver.py")


@dataclass
class Receiver:
    url: str
    log: Path
    process: subprocess.Popen

    def requests(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the receiver got {len(self.requests())} requests, not {count}")
            time.sleep(0.05)
        return self.requests()


@pytest.fixture
def start_receiver(tmp_path) -> Iterator[Callable[..., Receiver]]:
    """Start a receiver process: start_receiver(fail_first=2), start_receiver(delay=3), ...

    With cert=PATH it serves HTTPS; its URL names `url_host` (127.0.0.1 unless told), where it listens.
    """
    started: list[Receiver] = []

    def start(url_host: str = "127.0.0.1", **options) -> Receiver:
        log = tmp_path / f"received-{len(started)}.jsonl"
        args = [sys.executable, str(RECEIVER), str(log)]
        for name, value in options.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        port = int(process.stdout.readline())
        scheme = "https" if "cert" in options else "http"
        receiver = Receiver(url=f"{scheme}://{url_host}:{port}/hooks/stagegate", log=log, process=process)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.process.terminate()
        receiver.process.wait(timeout=10)


@pytest.fixture
def loopback_allowed(settings):
    """The receiver listens on 127.0.0.1 over plain HTTP; these tests allow exactly that."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_BACKOFF_BASE_SECONDS = 0
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def receiver(start_receiver) -> Receiver:
    return start_receiver()


@pytest.fixture
def endpoint(loopback_allowed, admin_user, receiver) -> WebhookEndpoint:
    return webhook_endpoint_create(actor=admin_user, url=receiver.url, description="Ops channel")
