"""A small RFC 3161 timestamp authority for tests, run as its own process on a 127.0.0.1 port.

    python tests/tsa_server.py DIR

makes a test PKI in DIR (a root CA and a timestamping certificate it issues,
RSA; the root is written to DIR/tsa-root.pem for the verifier to trust), then
answers timestamp requests (POST, application/timestamp-query) on a free port,
which it prints as `PORT <n>` once listening. The tokens are built and signed
by pyHanko's DummyTimeStamper, with the real time of the request.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pki(directory: Path) -> tuple[x509.Certificate, x509.Certificate, rsa.RSAPrivateKey]:
    now = datetime.now(UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("Stagegate Test Root CA"))
        .issuer_name(_name("Stagegate Test Root CA"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = (
        x509.CertificateBuilder()
        .subject_name(_name("Stagegate Test Timestamp Authority"))
        .issuer_name(root.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    (directory / "tsa-root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    return root, tsa, tsa_key


def main(directory: Path) -> None:
    root, tsa, tsa_key = _pki(directory)
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=[asn1_x509.Certificate.load(root.public_bytes(der))],
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                request = tsp.TimeStampReq.load(body)
                request.native  # noqa: B018 - parses the whole request, so a bad one fails here
                answer = stamper.request_tsa_response(request).dump()
            except ValueError:
                self.send_response(400)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
