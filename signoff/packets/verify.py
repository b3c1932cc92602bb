"""Is this a packet the portal issued, unaltered? Checked against the audit chain, not the packet's row.

Whoever can write the database can replace a stored file and update its row,
so the row proves nothing. What the portal trusts is the chain's
`packet.rendered` event, which recorded, as the packet was issued, the hash of
the whole signed file and of the reproducible document inside it (its first
revision). A file is the packet when:

- it is byte for byte the file the event records; or its first revision is
  the document the event records and the rest is the signature it was issued
  with (nothing appended, nothing altered); and
- its signature, if the packet was signed, is valid and made with a trusted
  certificate.

Each failure has its own verdict and words, so whoever checks learns what was
done to the file: bytes appended, bytes changed, an attachment (the data an
offline check relies on) rewritten, the file and its row replaced together, or
a packet the portal never issued.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Packet
from signoff.packets.fetcher import PDF_MAGIC, SHA256_RE
from signoff.packets.signature import SignatureCheck, revision_ends, signature_check
from signoff.packets.signing import signing_identity

PACKET_ID_IN_FILE = re.compile(r"SG-\d{4}-\d{6}")


class Verdict:
    GENUINE = "genuine"
    NOT_ISSUED = "not_issued"
    APPENDED = "bytes_appended"
    ALTERED = "altered"
    ATTACHMENT_ALTERED = "attachment_altered"
    REPLACED = "replaced_with_its_record"
    RECORD_ALTERED = "record_altered"
    SIGNATURE_INVALID = "signature_invalid"


@dataclass(frozen=True)
class Expected:
    """What the chain's `packet.rendered` event says was issued."""

    sha256: str
    size: int
    unsigned_sha256: str
    unsigned_size: int
    event_seq: int
    event_intact: bool

    @classmethod
    def of(cls, event: AuditEvent) -> Expected:
        changes = event.changes
        return cls(
            sha256=str(changes.get("sha256", "")),
            size=int(changes.get("size") or 0),
            unsigned_sha256=str(changes.get("unsigned_sha256") or changes.get("sha256", "")),
            unsigned_size=int(changes.get("unsigned_size") or changes.get("size") or 0),
            event_seq=event.seq,
            event_intact=event.compute_hash() == event.hash and event.canonical_form() == event.canonical,
        )


@dataclass(frozen=True)
class Verification:
    sha256: str
    packet: Packet | None
    verdict: str = Verdict.NOT_ISSUED
    reasons: tuple[str, ...] = ()
    signature: SignatureCheck | None = None
    stored_file_intact: bool | None = None
    expected: Expected | None = field(default=None, repr=False)

    @property
    def issued(self) -> bool:
        return self.packet is not None

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.GENUINE

    @property
    def summary(self) -> str:
        return self.reasons[0] if self.reasons else ""


def sha256_clean(value: str) -> str:
    """A pasted SHA-256, normalised; ValidationError naming the problem if it is not one."""
    cleaned = (value or "").strip().lower()
    cleaned = cleaned.removeprefix("sha256:").strip()
    if not cleaned:
        raise ValidationError("Give a SHA-256: 64 hexadecimal characters.")
    if not SHA256_RE.match(cleaned):
        raise ValidationError(
            f"That is not a SHA-256: expected 64 hexadecimal characters (0-9, a-f), got {len(cleaned)} characters."
        )
    return cleaned


def pdf_bytes_clean(data: bytes, *, max_bytes: int | None = None) -> bytes:
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    if not data:
        raise ValidationError("The file is empty.")
    if len(data) > limit:
        raise ValidationError(f"The file is too large: packets are at most {limit // (1024 * 1024)} MB.")
    if not data.startswith(PDF_MAGIC):
        raise ValidationError("That is not a PDF file (it does not start with %PDF-).")
    return data


def rendered_event(packet: Packet) -> AuditEvent | None:
    """The chain's record of the packet's issue."""
    return (
        AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED, object_type="signoff.packet", object_id=str(packet.pk))
        .order_by("seq")
        .first()
    )


def packet_expected(packet: Packet) -> Expected | None:
    event = rendered_event(packet)
    return Expected.of(event) if event is not None else None


def stored_bytes(packet: Packet) -> bytes | None:
    try:
        with packet.file.open("rb") as fh:
            return fh.read()
    except (FileNotFoundError, OSError, ValueError):
        return None


def packet_file_intact(packet: Packet, *, data: bytes | None = None) -> bool:
    """Whether the stored file is the one the chain records as issued (its row alone proves nothing)."""
    expected = packet_expected(packet)
    data = stored_bytes(packet) if data is None else data
    if expected is None or data is None or not expected.event_intact:
        return False
    return hashlib.sha256(data).hexdigest() == expected.sha256 == packet.sha256


def _packet_for_hashes(hashes: set[str]) -> Packet | None:
    """The packet whose chain event names one of these hashes, else one whose row does."""
    events = AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED, object_type="signoff.packet").filter(
        Q(changes__sha256__in=hashes) | Q(changes__unsigned_sha256__in=hashes)
    )
    packet_ids = [int(pk) for pk in events.values_list("object_id", flat=True) if pk.isdigit()]
    packets = Packet.objects.select_related("request__use_case", "request__submitted_by")
    found = packets.filter(pk__in=packet_ids).first()
    if found is None:
        found = packets.filter(Q(sha256__in=hashes) | Q(unsigned_sha256__in=hashes)).first()
    return found


def packet_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verification:
    """Is this a packet the portal issued? Give the file's bytes (the full check) or its SHA-256."""
    if data is None:
        return _verify_hash(sha256_clean(sha256 or ""))
    data = pdf_bytes_clean(data)
    digest = hashlib.sha256(data).hexdigest()
    prefixes = {end: hashlib.sha256(data[:end]).hexdigest() for end in revision_ends(data)}
    packet = _packet_for_hashes({digest, *prefixes.values()})
    if packet is None:
        return _not_issued(digest, data)
    expected = packet_expected(packet)
    stored = packet_file_intact(packet)
    if expected is None or not expected.event_intact:
        return Verification(
            digest,
            packet,
            Verdict.RECORD_ALTERED,
            (f"The audit chain's record of {packet.packet_id} is missing or was altered: it cannot be verified.",),
            stored_file_intact=stored,
        )
    check = signature_check(data) if packet.signer else None
    verdict, reasons = _file_verdict(packet, expected, data, digest, check)
    if packet.sha256 != expected.sha256 or packet.unsigned_sha256 != expected.unsigned_sha256:
        reasons = (*reasons, f"The portal's record of {packet.packet_id} was changed after the packet was issued.")
    return Verification(digest, packet, verdict, reasons, check, stored, expected)


def _file_verdict(
    packet: Packet, expected: Expected, data: bytes, digest: str, check: SignatureCheck | None
) -> tuple[str, tuple[str, ...]]:
    pid = packet.packet_id
    unsigned_matches = hashlib.sha256(data[: expected.unsigned_size]).hexdigest() == expected.unsigned_sha256
    if digest == expected.sha256:
        if check is not None and not check.ok:
            return Verdict.SIGNATURE_INVALID, (f"This is {pid}, but its signature does not hold: {check.problem}.",)
        return Verdict.GENUINE, (_genuine_words(pid, check),)
    if unsigned_matches and hashlib.sha256(data[: expected.size]).hexdigest() == expected.sha256:
        if changed := attachments_changed(data, data[: expected.size]):
            return Verdict.ATTACHMENT_ALTERED, (
                f"This is {pid} with its attachment {_names(changed)} changed after it was issued, "
                "in a revision added after the signature.",
            )
        extra = len(data) - expected.size
        return Verdict.APPENDED, (f"This is {pid} with {extra} bytes appended after it was issued.",)
    if digest == packet.sha256:
        return Verdict.REPLACED, (
            f"This file matches the portal's record of {pid} but not the audit chain's: the stored file and its "
            "record were replaced together.",
        )
    if unsigned_matches:
        return Verdict.ALTERED, (f"The document is {pid}, but its signature part is not the one issued.",)
    return Verdict.ALTERED, (f"This file was altered: it is not the {pid} the portal issued.",)


def _genuine_words(pid: str, check: SignatureCheck | None) -> str:
    if check is None:
        return f"This is {pid}, unaltered, as issued (unsigned)."
    words = f"This is {pid}, unaltered; signature valid, signed by {check.signer}"
    if check.timestamped_at is not None:
        words += f", timestamped {check.timestamped_at:%Y-%m-%dT%H:%M:%SZ} by {check.timestamp_authority}"
    return words + "."


def _not_issued(digest: str, data: bytes) -> Verification:
    check = signature_check(data)
    named = PACKET_ID_IN_FILE.search(_title(data))
    own = signing_identity()
    ours = check.signer_fingerprint and own is not None and check.signer_fingerprint == own.fingerprint
    if check.present and ours and not check.intact:
        issued = _issued_file(named.group()) if named else None
        if named and issued is not None and (changed := attachments_changed(data, issued)):
            reason = (
                f"This is packet {named.group()}, but its attachment {_names(changed)} is not the one issued: "
                "it was rewritten and the file saved again."
            )
            return Verification(digest, None, Verdict.ATTACHMENT_ALTERED, (reason,), check)
        what = f"packet {named.group()}" if named else "a packet"
        reason = f"This is {what} signed by the portal, but bytes were changed after signing."
        return Verification(digest, None, Verdict.ALTERED, (reason,), check)
    return Verification(
        digest,
        None,
        Verdict.NOT_ISSUED,
        ("The portal did not issue this file: no packet it issued has these contents, or it was altered.",),
        check if check.present else None,
    )


def attachments_of(data: bytes) -> dict[str, bytes] | None:
    """The file's embedded files by name, or None if the file cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return {name: b"".join(contents) for name, contents in PdfReader(io.BytesIO(data)).attachments.items()}
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError):
        return None


def attachments_changed(data: bytes, issued: bytes) -> list[str]:
    """The attachments (added, removed or rewritten) in which `data` differs from the file issued."""
    found, original = attachments_of(data), attachments_of(issued)
    if found is None or original is None:
        return []
    return sorted(name for name in found.keys() | original.keys() if found.get(name) != original.get(name))


def _names(names: list[str]) -> str:
    return ", ".join(names)


def _issued_file(packet_id: str) -> bytes | None:
    """The packet's stored file, only if it is the one the chain records (a replaced copy is no reference)."""
    packet = Packet.objects.filter(packet_id=packet_id).first()
    if packet is None:
        return None
    data = stored_bytes(packet)
    return data if data is not None and packet_file_intact(packet, data=data) else None


def _title(data: bytes) -> str:
    """The document's title (which names the packet), if the file can still be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        metadata = PdfReader(io.BytesIO(data)).metadata
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return ""
    return str(metadata.title or "") if metadata is not None else ""


def _verify_hash(digest: str) -> Verification:
    packet = _packet_for_hashes({digest})
    if packet is None:
        return Verification(digest, None, Verdict.NOT_ISSUED, ("The portal issued no packet with this SHA-256.",))
    expected = packet_expected(packet)
    stored = packet_file_intact(packet)
    if expected is None or not expected.event_intact:
        return Verification(
            digest, packet, Verdict.RECORD_ALTERED, (f"The audit chain's record of {packet.packet_id} is missing.",)
        )
    if digest == expected.sha256:
        reason = f"This SHA-256 is that of {packet.packet_id} as issued."
    elif digest == expected.unsigned_sha256:
        reason = f"This SHA-256 is that of {packet.packet_id}'s document before it was signed."
    else:
        reason = (
            f"This SHA-256 matches the portal's record of {packet.packet_id} but not the audit chain's: "
            "the stored file and its record were replaced together."
        )
        return Verification(digest, packet, Verdict.REPLACED, (reason,), stored_file_intact=stored)
    return Verification(digest, packet, Verdict.GENUINE, (reason,), stored_file_intact=stored, expected=expected)


def verification_public(verification: Verification) -> dict:
    """What anyone may be told: the verdict and why, and no more than the packet itself says."""
    packet = verification.packet
    return {
        "verdict": verification.verdict,
        "ok": verification.ok,
        "sha256": verification.sha256,
        "reasons": list(verification.reasons),
        "packet_id": packet.packet_id if packet is not None else None,
        "issued_at": packet.created_at if packet is not None else None,
        "stored_copy_intact": verification.stored_file_intact,
        "signature": verification.signature.as_dict() if verification.signature is not None else None,
    }
