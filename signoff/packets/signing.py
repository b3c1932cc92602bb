"""Signing a packet: PAdES by pyHanko, as an incremental update after the reproducible document.

The rendered document (the unsigned revision) is byte-for-byte reproducible;
the signature is appended to it as a second revision, so the first revision
can still be cut from a signed file, re-hashed and compared with the audit
chain's `packet.rendered` event. The key and certificate come from settings,
never from the database:

- PACKET_SIGNING_KEY and PACKET_SIGNING_CERT: PEM files (the key may be
  encrypted with PACKET_SIGNING_PASSPHRASE); or
- PACKET_SIGNING_PKCS12: a PKCS#12 file with its passphrase;
- PACKET_SIGNING_CHAIN: intermediate certificates to embed;
- PACKET_TSA_URL: an RFC 3161 timestamp authority; the signature then carries
  its token (PAdES B-T).

A key in a hardware module (PKCS#11) is described in the README: pyHanko's
`pkcs11.PKCS11Signer` takes the place of the file signer; nothing else changes.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNATURE_FIELD = "StagegateSignature"


@dataclass(frozen=True)
class SigningIdentity:
    """What the packet says about the certificate that signs it (read from the certificate alone)."""

    subject: str
    issuer: str
    fingerprint: str  # SHA-256 of the certificate's DER
    self_signed: bool
    not_after: datetime
    timestamp_authority: str

    def as_record(self) -> dict:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "fingerprint": self.fingerprint,
            "self_signed": self.self_signed,
            "not_after": self.not_after.isoformat(),
            "timestamp_authority": self.timestamp_authority,
        }


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    timestamped_at: datetime | None


def _path(name: str) -> Path | None:
    value = str(getattr(settings, name, "") or "")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def signing_configured() -> bool:
    return bool(_path("PACKET_SIGNING_PKCS12") or (_path("PACKET_SIGNING_KEY") and _path("PACKET_SIGNING_CERT")))


def _passphrase() -> bytes | None:
    value = getattr(settings, "PACKET_SIGNING_PASSPHRASE", "") or ""
    return value.encode() if value else None


def _signer():
    from pyhanko.sign import signers

    chain = [str(p) for p in (_abs(c) for c in getattr(settings, "PACKET_SIGNING_CHAIN", []) or [])]
    try:
        if pkcs12 := _path("PACKET_SIGNING_PKCS12"):
            signer = signers.SimpleSigner.load_pkcs12(str(pkcs12), ca_chain_files=chain, passphrase=_passphrase())
        else:
            key, cert = _path("PACKET_SIGNING_KEY"), _path("PACKET_SIGNING_CERT")
            signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=chain, key_passphrase=_passphrase())
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"The packet signing key or certificate cannot be read: {exc}") from exc
    if signer is None:
        raise ImproperlyConfigured("The packet signing key or certificate cannot be read (wrong passphrase?).")
    return signer


def _abs(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def signing_certificate() -> asn1_x509.Certificate | None:
    if not signing_configured():
        return None
    return _signer().signing_cert


def signing_identity() -> SigningIdentity | None:
    """The configured certificate, as the packet describes it; None when packets are not signed."""
    cert = signing_certificate()
    if cert is None:
        return None
    return identity_of(cert, timestamp_authority=str(getattr(settings, "PACKET_TSA_URL", "") or ""))


def identity_of(cert: asn1_x509.Certificate, *, timestamp_authority: str = "") -> SigningIdentity:
    return SigningIdentity(
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        self_signed=cert.self_signed != "no",
        not_after=cert.not_valid_after.astimezone(UTC),
        timestamp_authority=timestamp_authority,
    )


def pdf_sign(*, data: bytes, packet_id: str) -> SignedPdf:
    """Append a PAdES signature (and a timestamp, where an authority is configured) to `data`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    tsa_url = str(getattr(settings, "PACKET_TSA_URL", "") or "")
    timestamper = HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"Sign-off packet {packet_id} issued by {settings.SITE_NAME}",
        location=settings.SITE_URL,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = signers.sign_pdf(writer, meta, signer=_signer(), timestamper=timestamper)
    signed = out.getvalue()
    return SignedPdf(data=signed, timestamped_at=_timestamp_time(signed) if timestamper else None)


def _timestamp_time(signed: bytes) -> datetime | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures[-1]
    token = signature.signer_info["unsigned_attrs"]
    for attribute in token:
        if attribute["type"].native == "signature_time_stamp_token":
            content = attribute["values"][0]["content"]
            return content["encap_content_info"]["content"].parsed["gen_time"].native
    return None


def self_signed_certificate_write(*, key_path: Path, cert_path: Path, common_name: str, days: int = 3650) -> None:
    """A key and a self-signed certificate for signing packets (the demo's; never for production)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stagegate demonstration (self-signed)"),
        ]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path.touch(mode=0o600, exist_ok=True)
    key_path.write_bytes(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
