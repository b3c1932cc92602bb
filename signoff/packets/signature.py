"""Reading a packet file: its revisions, and whether its signature and timestamp hold.

A packet is the reproducible document (the first revision) followed by the
signature as an incremental update. `revision_ends` finds where each revision
ends, so the first can be cut out and re-hashed; `signature_check` validates the
signature with pyHanko against the trust roots from settings (the signing
certificate itself, for a self-signed one, and PACKET_TRUST_ROOTS), offline.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings

from signoff.packets.signing import signing_certificate

_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")


def revision_ends(data: bytes) -> list[int]:
    """Where each revision of the PDF ends (after its %%EOF and end of line), first to last."""
    return [m.end() for m in _EOF.finditer(data)]


@dataclass(frozen=True)
class SignatureCheck:
    present: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str = ""
    signer_fingerprint: str = ""
    signed_at: datetime | None = None
    timestamped_at: datetime | None = None
    timestamp_authority: str = ""
    timestamp_trusted: bool = False
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.present and self.intact and self.trusted and self.covers_whole_file and not self.problem

    def as_dict(self) -> dict:
        return {
            "present": self.present,
            "valid": self.ok,
            "signer": self.signer,
            "signer_fingerprint": self.signer_fingerprint,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped_at": self.timestamped_at.isoformat() if self.timestamped_at else None,
            "timestamp_authority": self.timestamp_authority,
            "problem": self.problem,
        }


def trust_roots() -> list[asn1_x509.Certificate]:
    roots: list[asn1_x509.Certificate] = []
    for value in getattr(settings, "PACKET_TRUST_ROOTS", []) or []:
        path = Path(value) if Path(value).is_absolute() else Path(settings.BASE_DIR) / value
        data = path.read_bytes()
        blocks = [pem.unarmor(block)[2] for block in _pem_blocks(data)] if pem.detect(data) else [data]
        roots.extend(asn1_x509.Certificate.load(block) for block in blocks)
    own = signing_certificate()
    if own is not None and own.self_signed != "no":
        roots.append(own)
    return roots


def _pem_blocks(data: bytes) -> list[bytes]:
    return re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", data, re.S)


def signature_check(data: bytes, *, roots: list[asn1_x509.Certificate] | None = None) -> SignatureCheck:
    """Validate the packet's last signature (and its timestamp) offline."""
    import hashlib

    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(present=False, problem=f"the file cannot be read as a PDF ({exc})")
    if not signatures:
        return SignatureCheck(present=False)
    roots = trust_roots() if roots is None else roots
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], context, ts_validation_context=context)
    except Exception as exc:  # pyHanko raises many kinds for a malformed signature; each means "not valid".
        return SignatureCheck(present=True, problem=f"the signature cannot be validated ({exc})")
    cert = status.signing_cert
    ts = status.timestamp_validity
    covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    problem = ""
    if not status.intact:
        problem = "the signed bytes were altered after signing"
    elif not status.valid:
        problem = "the signature does not match the signing certificate"
    elif not covers:
        problem = "bytes were added to the file after it was signed"
    elif not status.trusted:
        problem = "the signing certificate is not one this portal trusts"
    elif ts is not None and not (ts.intact and ts.valid):
        problem = "the timestamp does not match the signature"
    return SignatureCheck(
        present=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=covers,
        signer=cert.subject.human_friendly,
        signer_fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
        signed_at=status.signer_reported_dt,
        timestamped_at=ts.timestamp if ts is not None else None,
        timestamp_authority=ts.signing_cert.subject.human_friendly if ts is not None else "",
        timestamp_trusted=bool(ts is not None and ts.trusted),
        problem=problem,
    )
