"""Packet signing for the tests that need it: a self-signed key per session, and a test PKI with a real
timestamp authority (certomancer, its own process)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from signoff.packets.signing import self_signed_certificate_write

PKI_CONFIG = Path(__file__).resolve().parent.parent / "pki" / "certomancer.yml"
PKI_ARCH = "stagegate-test"


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


@dataclass(frozen=True)
class PkiService:
    """certomancer's test PKI, served by its own process: the timestamp authority and what it certifies."""

    tsa_url: str
    root: Path  # the root CA certificate (PEM): what verification trusts
    signer_pkcs12: Path  # a packet signing key and certificate the root issued, PKCS#12 with passphrase "test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certomancer(directory: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "certomancer", "--config", str(directory / "certomancer.yml"), *args]


def _wait_listening(process: subprocess.Popen, port: int, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"certomancer stopped: {process.communicate()[1]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"certomancer did not listen on 127.0.0.1:{port} within {seconds} s")


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Iterator[PkiService]:
    """certomancer (tests/pki/certomancer.yml) with fresh keys; its timestamp service on a 127.0.0.1 port."""
    directory = tmp_path_factory.mktemp("pki")
    shutil.copy(PKI_CONFIG, directory / "certomancer.yml")
    for label in ("root", "tsa", "signer"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        (directory / f"{label}.key.pem").write_bytes(pem)
    root, signer = directory / "root.pem", directory / "signer.p12"
    subprocess.run(_certomancer(directory, "summon", PKI_ARCH, "root", str(root)), check=True, timeout=60)
    subprocess.run(
        _certomancer(directory, "summon", "--as-pfx", "--pfx-pass", "test", PKI_ARCH, "signer", str(signer)),
        check=True,
        timeout=60,
    )
    port = _free_port()
    process = subprocess.Popen(
        _certomancer(directory, "animate", "--port", str(port), "--no-web-ui", "--no-time-override"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_listening(process, port)
        yield PkiService(tsa_url=f"http://127.0.0.1:{port}/{PKI_ARCH}/tsa/tsa", root=root, signer_pkcs12=signer)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def timestamped_signing(settings, pki) -> PkiService:
    """Packets are signed with a key the test PKI's root certified, and timestamped by its authority.

    Verification trusts that root alone: the signature, the timestamp and both certificate chains lead to it.
    """
    settings.PACKET_SIGNING_KEY = settings.PACKET_SIGNING_CERT = ""
    settings.PACKET_SIGNING_PKCS12 = str(pki.signer_pkcs12)
    settings.PACKET_SIGNING_PASSPHRASE = "test"
    settings.PACKET_TSA_URL = pki.tsa_url
    settings.PACKET_TRUST_ROOTS = [str(pki.root)]
    return pki
