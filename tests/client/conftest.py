"""The `stagegate` client run as a pipeline runs it: a separate process, over HTTP, against a live portal.

Nothing of the client or the portal is replaced: the portal is pytest-django's
`live_server`, the client runs from this working copy's `client/src`, and its
tokens come from `manage.py issue_token`.
"""

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from signoff import services
from tests.signoff.helpers import supply_evidence

CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"


def live(test):
    """A test against the live portal: it needs PostgreSQL, and the database is restored after it."""
    for mark in (pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)):
        test = mark(test)
    return test


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


def client_env(url: str | None, token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAGEGATE_")}
    env["PYTHONPATH"] = str(CLIENT_SRC)
    if url is not None:
        env["STAGEGATE_URL"] = url
    if token is not None:
        env["STAGEGATE_TOKEN"] = token
    return env


def stagegate(*args: str, url: str | None, token: str | None, timeout: float = 120) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "stagegate", *args],
        env=client_env(url, token),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def issue_token(user) -> str:
    out = StringIO()
    call_command("issue_token", user.username, "--name", "pipeline", stdout=out)
    return out.getvalue().strip()


@dataclass
class Portal:
    """A live portal and one account's token on it."""

    url: str
    token: str

    def run(self, *args: str, token: str | None = None, timeout: float = 120) -> Run:
        return stagegate(*args, url=self.url, token=token or self.token, timeout=timeout)


@pytest.fixture
def portal(live_server, erin):
    """The live portal, with erin's token (she owns the use cases the tests build)."""
    return Portal(url=live_server.url, token=issue_token(erin))


@pytest.fixture
def running(use_case, erin):
    """erin's use case approved at stage 1 (with its one version): it may run at 1, not at 2."""
    supply_evidence(use_case, 1)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    services.readiness_request_submit(request=request, actor=erin)
    return use_case


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: bound to learn a free one, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
