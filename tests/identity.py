"""The test identity provider (tests/identity_provider.py) in its own process, and the portal pointed at it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.settings import oidc_providers

PROVIDER = Path(__file__).with_name("identity_provider.py")
CLIENT_ID = "stagegate-test"
CLIENT_SECRET = "test-client-secret"  # a test provider's, on loopback
IDP_PASSWORD = "corporate-password"


@dataclass
class IdentityProvider:
    issuer: str
    users_file: Path
    process: subprocess.Popen

    def people(self, people: dict[str, list[str]]) -> None:
        """Who may sign in there, each with their groups (rewritten whole; read at each sign-in)."""
        self.users_file.write_text(
            json.dumps(
                {
                    name: {"password": IDP_PASSWORD, "email": f"{name}@idp.example", "groups": groups}
                    for name, groups in people.items()
                }
            )
        )


@pytest.fixture
def identity_provider(tmp_path, settings) -> Iterator[IdentityProvider]:
    """A running OpenID Connect provider, and the portal's settings naming it."""
    users = tmp_path / "idp-users.json"
    users.write_text("{}")
    process = subprocess.Popen(
        [sys.executable, str(PROVIDER), str(users), "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    issuer = f"http://127.0.0.1:{int(process.stdout.readline())}"
    settings.SOCIALACCOUNT_PROVIDERS = oidc_providers(
        issuer=issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET, name="Example Bank"
    )
    try:
        yield IdentityProvider(issuer=issuer, users_file=users, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
