"""`stagegate verify PACKET.pdf`: check a sign-off packet offline, with no portal, no account and no database.

It checks what the file itself can prove:

- the signature (PAdES): intact, covering the whole file (nothing appended;
  an attachment rewritten in a revision added after it is named as such),
  made with a certificate that chains to one given with --trust (the portal's
  signing certificate or its CA); and its RFC 3161 timestamp, if it has one;
- the attachments (PDF/A-3, AFRelationship /Data): packet.json, policy.json and
  events.json, in canonical JSON;
- the audit events the packet lists: each event's hash is the SHA-256 of its
  canonical text, the text names its own number and previous hash, and the
  newest is the chain head the packet names.

That the portal issued this packet (its document's hash is the one in the
portal's audit chain) only the portal can say: `POST /api/v1/packets/verify`.
Needs pyHanko: `pip install 'stagegate[verify]'`.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ATTACHMENTS = ("packet.json", "policy.json", "events.json")


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def ok(self, line: str) -> None:
        self.lines.append(f"ok: {line}")

    def fail(self, line: str) -> None:
        self.problems.append(line)
        self.lines.append(f"FAILED: {line}")


class Unreadable(Exception):
    """The file cannot be read as a PDF (exit status 2)."""


def _certificates(paths: Sequence[str]) -> list[Any]:
    from asn1crypto import pem, x509  # type: ignore[import-untyped]

    certs: list[Any] = []
    for path in paths:
        data = Path(path).read_bytes()
        if pem.detect(data):
            certs.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
        else:
            certs.append(x509.Certificate.load(data))
    return certs


def verify_packet(data: bytes, *, trust: Sequence[str] = ()) -> Report:
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
    except ImportError:  # pragma: no cover - depends on the installation
        raise Unreadable("stagegate verify needs pyHanko: pip install 'stagegate[verify]'") from None
    report = Report()
    if not data.startswith(b"%PDF-"):
        raise Unreadable("not a PDF file (it does not start with %PDF-)")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many kinds for a broken file
        raise Unreadable(f"cannot read the PDF: {exc}") from None
    _check_signature(report, data, signatures, _certificates(trust))
    attachments = _attachments(report, reader)
    if attachments:
        _check_events(report, attachments)
    return report


def _check_signature(report: Report, data: bytes, signatures: list[Any], roots: list[Any]) -> None:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not signatures:
        report.fail("the packet is not signed")
        return
    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], context, ts_validation_context=context)
    except Exception as exc:  # a malformed signature: not valid, whatever the kind of error
        report.fail(f"the signature cannot be validated ({exc})")
        return
    cert = status.signing_cert
    fingerprint = hashlib.sha256(cert.dump()).hexdigest()
    who = f"{cert.subject.human_friendly} (certificate SHA-256 {fingerprint})"
    if not (status.intact and status.valid) and not _signature_in_place(data, signatures[-1]):
        report.fail(
            f"the signature by {who} does not match the file: it was saved again from start to end after signing "
            "(the signature no longer sits where it was made), so nothing in it, attachments included, is the "
            "signed content"
        )
    elif not (status.intact and status.valid):
        report.fail(f"the signature by {who} does not match the file: bytes were changed after signing")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        changed = _attachments_changed_after(data, signatures[-1])
        if changed:
            report.fail(f"the attachment {', '.join(changed)} was changed after signing, in a revision added later")
        else:
            report.fail("bytes were added to the file after it was signed")
    else:
        report.ok(f"signature intact over the whole file, signed by {who}")
    if not roots:
        report.fail("the signer was not checked against a trusted certificate: give --trust CERT.pem")
    elif not status.trusted:
        report.fail("the signing certificate does not chain to a certificate given with --trust")
    else:
        report.ok("the signing certificate chains to a trusted certificate")
    ts = status.timestamp_validity
    if ts is None:
        report.lines.append("note: the signature carries no timestamp; its time is the signer's claim")
    elif not (ts.intact and ts.valid):
        report.fail("the timestamp does not match the signature")
    else:
        trusted = "trusted" if ts.trusted else "NOT trusted (give its root with --trust)"
        report.ok(
            f"timestamped {ts.timestamp:%Y-%m-%dT%H:%M:%SZ} by {ts.signing_cert.subject.human_friendly}, {trusted}"
        )
        if not ts.trusted and roots:
            report.problems.append("timestamp authority not trusted")


def _signature_in_place(data: bytes, signature: Any) -> bool:
    """Whether the gap the signed byte range leaves is still the signature: false once the file was rewritten."""
    _, end, start, _ = signature.byte_range
    gap = data[end:start]
    if not (gap.startswith(b"<") and gap.endswith(b">")):
        return False
    try:
        found = bytes.fromhex(gap[1:-1].decode("ascii"))
    except ValueError:
        return False
    return found.rstrip(b"\0") == bytes(signature.pkcs7_content).rstrip(b"\0")


def _embedded_files(reader: Any) -> dict[str, bytes]:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return {}
    return {
        str(names[i]): names[i + 1].get_object()["/EF"]["/F"].get_object().data for i in range(0, len(names) - 1, 2)
    }


def _attachments_changed_after(data: bytes, signature: Any) -> list[str]:
    """The attachments that differ between the revision the signature covers and the file as it is now."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    _, _, start, length = signature.byte_range
    try:
        signed = _embedded_files(PdfFileReader(io.BytesIO(data[: start + length]), strict=False))
        now = _embedded_files(PdfFileReader(io.BytesIO(data), strict=False))
    except Exception:  # a file that reads as a whole but not cut at its signature: nothing to compare
        return []
    return sorted(name for name in signed.keys() | now.keys() if signed.get(name) != now.get(name))


def _attachments(report: Report, reader: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        report.fail("the packet carries no attachments")
        return found
    for i in range(0, len(names) - 1, 2):
        name, spec = str(names[i]), names[i + 1].get_object()
        if name not in ATTACHMENTS:
            continue
        relationship = str(spec.get("/AFRelationship", ""))
        content = spec["/EF"]["/F"].get_object().data
        try:
            found[name] = json.loads(content)
        except ValueError:
            report.fail(f"the attachment {name} is not JSON")
            continue
        if relationship != "/Data":
            report.fail(f"the attachment {name} is not marked as the document's data (AFRelationship {relationship})")
    missing = [name for name in ATTACHMENTS if name not in found]
    if missing:
        report.fail(f"attachments missing: {', '.join(missing)}")
    else:
        report.ok(f"attachments present: {', '.join(ATTACHMENTS)}")
    return found


def _check_events(report: Report, attachments: dict[str, Any]) -> None:
    events_doc = attachments.get("events.json") or {}
    head = (attachments.get("packet.json") or {}).get("chain_head")
    if head != events_doc.get("chain_head"):
        report.fail("packet.json and events.json name different chain heads")
    events = events_doc.get("events") or []
    for event in events:
        seq = event.get("seq")
        canonical = str(event.get("canonical", ""))
        if hashlib.sha256(canonical.encode()).hexdigest() != event.get("hash"):
            report.fail(f"event #{seq}: its canonical text does not hash to its hash (altered)")
            return
        try:
            fields = json.loads(canonical)
        except ValueError:
            report.fail(f"event #{seq}: its canonical text is not JSON")
            return
        if fields.get("seq") != seq or fields.get("prev_hash") != event.get("prev_hash"):
            report.fail(f"event #{seq}: its number or previous hash differ from its canonical text")
            return
    if events and head and (events[-1].get("seq"), events[-1].get("hash")) != (head.get("seq"), head.get("hash")):
        report.fail("the newest event is not the chain head the packet names")
        return
    if head:
        report.ok(
            f"{len(events)} audit events re-hash from their canonical text; the newest is the chain head "
            f"#{head.get('seq')} {head.get('hash')}"
        )
