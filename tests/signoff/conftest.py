"""Packet signing for the tests that need it: a self-signed key per session, and a real timestamp authority."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.packets.signing import self_signed_certificate_write

TSA_SERVER = Path(__file__).resolve().parent.parent / "tsa_server.py"


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("signing")
    key, cert = directory / "packet-key.pem", directory / "packet-cert.pem"
    self_signed_certificate_write(key_path=key, cert_path=cert, common_name="Stagegate test packets")
    return key, cert


@pytest.fixture
def signing(settings, signing_files):
    """Packets are signed with a self-signed certificate, without a timestamp."""
    settings.PACKET_SIGNING_KEY, settings.PACKET_SIGNING_CERT = (str(p) for p in signing_files)
    settings.PACKET_TSA_URL = ""
    settings.PACKET_TRUST_ROOTS = []
    return signing_files


@pytest.fixture(scope="session")
def timestamp_authority(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """An RFC 3161 timestamp authority as its own process on a 127.0.0.1 port: (its URL, its root certificate)."""
    directory = tmp_path_factory.mktemp("tsa")
    process = subprocess.Popen(
        [sys.executable, str(TSA_SERVER), str(directory)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            process.kill()
            raise RuntimeError(f"the timestamp authority did not start: {line}{process.stderr.read()}")
        yield f"http://127.0.0.1:{line.split()[1]}/", directory / "tsa-root.pem"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def timestamped_signing(signing, settings, timestamp_authority):
    """Packets are signed and timestamped by the test's timestamp authority, whose root verification trusts."""
    url, root = timestamp_authority
    settings.PACKET_TSA_URL = url
    settings.PACKET_TRUST_ROOTS = [str(root)]
    return url
