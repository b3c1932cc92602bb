"""Is this a packet the portal issued, unaltered? By its bytes or its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from signoff.models import Packet
from signoff.packets.fetcher import PDF_MAGIC, SHA256_RE


@dataclass(frozen=True)
class Verification:
    sha256: str
    packet: Packet | None
    stored_file_intact: bool | None = None

    @property
    def issued(self) -> bool:
        return self.packet is not None

    @property
    def ok(self) -> bool:
        return self.packet is not None and self.stored_file_intact is True


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


def packet_file_intact(packet: Packet) -> bool:
    """Whether the stored file still hashes to the recorded SHA-256."""
    digest = hashlib.sha256()
    try:
        with packet.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return False
    return digest.hexdigest() == packet.sha256


def packet_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verification:
    """Is this a packet the portal issued? Give the file's bytes or its SHA-256."""
    digest = hashlib.sha256(pdf_bytes_clean(data)).hexdigest() if data is not None else sha256_clean(sha256 or "")
    packet = Packet.objects.select_related("request__use_case", "request__submitted_by").filter(sha256=digest).first()
    if packet is None:
        return Verification(sha256=digest, packet=None)
    return Verification(sha256=digest, packet=packet, stored_file_intact=packet_file_intact(packet))
