"""Rendering and storing a packet, once, reproducibly.

A packet is rendered once, when a readiness request is approved, and stored
with its SHA-256. It must be reproducible: the same request renders to the
same bytes, so that anyone can re-render it and compare. That rules out
anything that depends on when or where it is rendered:

- every date in it comes from the data (the approval, the reviews, the
  events), never from now();
- the audit events and the chain head are those up to the request's approval
  event, not whatever the chain holds at render time;
- fonts come from the system's Debian packages, and SOURCE_DATE_EPOCH (set in
  settings) keeps font subsetting from stamping the current time;
- WeasyPrint fetches nothing but the project's own static files: a packet that
  pulled a stylesheet or image from the network (or from file:///etc/...) would
  neither be reproducible nor safe, since parts of it are user-supplied text.

That reproducible document is then signed (signing.py) as an incremental
update: the stored file is the document followed by its signature, and the
chain's `packet.rendered` event records the hash of both, so the document can
be cut from any copy and compared with what the chain holds.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML

from accounts.models import User
from audit.services import Verb, audit_record
from notifications.services import Kind, absolute_url, notify
from signoff.events import packet_issued_emit
from signoff.models import Packet, ReadinessRequest, RequestState, Review, ReviewState
from signoff.packets.attachments import packet_attachments
from signoff.packets.context import PacketContext, packet_context
from signoff.packets.fetcher import PACKET_BASE_URL, PACKET_TEMPLATE, PDF_VARIANT, StaticOnlyFetcher
from signoff.packets.fonts import missing_glyphs
from signoff.packets.signing import SigningIdentity, pdf_sign, signing_identity

logger = logging.getLogger(__name__)


def packet_html(*, request: ReadinessRequest, signing: SigningIdentity | dict | None = None) -> str:
    """The packet's HTML; `signing` is what it says of its signature (an issued packet's `signer` to re-render it)."""
    return render_to_string(PACKET_TEMPLATE, _template_context(packet_context(request=request), signing))


def packet_document(*, request: ReadinessRequest, signing: SigningIdentity | dict | None = None) -> RenderedPdf:
    """The packet's unsigned document, with its attachments: what an issued packet's first revision re-renders to."""
    context = packet_context(request=request)
    html = render_to_string(PACKET_TEMPLATE, _template_context(context, signing))
    return pdf_render(html=html, attachments=packet_attachments(context))


def _template_context(context: PacketContext, signing: SigningIdentity | dict | None) -> dict:
    return {**context.as_template_context(), "signing": _signing_record(signing)}


def _signing_record(signing: SigningIdentity | dict | None) -> dict:
    if isinstance(signing, SigningIdentity):
        return signing.as_record()
    return dict(signing or {})


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    page_count: int
    refused: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def pdf_render(*, html: str, attachments: list | None = None) -> RenderedPdf:
    """HTML to PDF/A-3b with the static-only fetcher. Pure: the same HTML and attachments give the same bytes."""
    fetcher = StaticOnlyFetcher()
    with cycle_collector_held():
        document = HTML(string=html, base_url=PACKET_BASE_URL, url_fetcher=fetcher).render()
        data = document.write_pdf(pdf_variant=PDF_VARIANT, attachments=attachments or [])
    return RenderedPdf(data=data, page_count=len(document.pages), refused=tuple(fetcher.refused))


class _CycleCollectorHold:
    """Hold Python's cycle collector while WeasyPrint lays a document out and writes it.

    A render allocates a few million objects (boxes, styles, line layouts)
    that live until it ends. Their allocation keeps setting off collections
    that walk every live object of the process, Django's included: a fifth of
    the render time (BENCHMARKS.md). What the render leaves in cycles is
    collected as usual once the collector runs again.

    The collector is the process's, so renders in several threads share one
    hold: the first in takes it, the last out gives it back as it found it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0 and self._was_enabled:
                    gc.enable()


cycle_collector_held = _CycleCollectorHold()


def packet_render(*, request: ReadinessRequest) -> Packet:
    """Render and store the packet of an approved request, once.

    Idempotent: a request that already has a packet gets it back, never a
    re-render over it. Rendering is slow, so it happens outside the
    transaction; two workers racing on the same request both render, then the
    one that takes the request's row lock first stores its packet and the
    other finds it (the one-to-one constraint backs this on databases without
    row locks).
    """
    existing = Packet.objects.filter(request_id=request.pk).first()
    if existing is not None:
        return existing
    if request.state != RequestState.APPROVED:
        raise ValidationError(
            f"Only approved requests get a sign-off packet; this one is {request.get_state_display().lower()}."
        )
    context = packet_context(request=request)
    identity = signing_identity()
    html = render_to_string(PACKET_TEMPLATE, _template_context(context, identity))
    if missing := missing_glyphs(html):
        # Empty boxes in place of a title are no record of a decision (and no longer PDF/A): refuse, and say which.
        raise ValidationError(
            f"Packet {context.packet_id} is not issued: no packet font can print "
            + ", ".join(f"U+{ord(c):04X}" for c in missing[:20])
            + ". Install the fonts .ci/run installs."
        )
    rendered = pdf_render(html=html, attachments=packet_attachments(context))
    if rendered.refused:
        logger.warning("Packet %s: refused to fetch %s", context.packet_id, ", ".join(rendered.refused))
    signed = pdf_sign(data=rendered.data, packet_id=context.packet_id) if identity is not None else None
    data = signed.data if signed is not None else rendered.data

    packet = Packet(
        request_id=request.pk,
        packet_id=context.packet_id,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        unsigned_sha256=rendered.sha256,
        unsigned_size=len(rendered.data),
        signer=_signing_record(identity),
        timestamped_at=signed.timestamped_at if signed is not None else None,
        page_count=rendered.page_count,
        audit_head_hash=context.chain.hash,
        audit_head_seq=context.chain.seq,
    )
    stored_name: str | None = None
    try:
        with transaction.atomic():
            ReadinessRequest.objects.select_for_update().filter(pk=request.pk).first()
            existing = Packet.objects.filter(request_id=request.pk).first()
            if existing is not None:
                return existing
            packet.file.save(f"{context.packet_id}.pdf", ContentFile(data), save=False)
            stored_name = packet.file.name
            packet.save(force_insert=True)
            audit_record(
                actor=None,
                actor_label="system",
                verb=Verb.PACKET_RENDERED,
                obj=packet,
                use_case_id=request.use_case_id,
                request_id=request.pk,
                changes={
                    "packet_id": packet.packet_id,
                    "sha256": packet.sha256,
                    "size": packet.size,
                    "unsigned_sha256": packet.unsigned_sha256,
                    "unsigned_size": packet.unsigned_size,
                    "signer_fingerprint": packet.signer.get("fingerprint", ""),
                    "timestamped_at": packet.timestamped_at,
                    "page_count": packet.page_count,
                    "audit_head_seq": packet.audit_head_seq,
                    "audit_head_hash": packet.audit_head_hash,
                },
            )
            packet_issued_emit(packet=packet, request=request)
            packet_issued_notify(packet=packet, request=request)
    except IntegrityError:
        if stored_name:
            packet.file.storage.delete(stored_name)
        return Packet.objects.get(request_id=request.pk)
    except BaseException:
        if stored_name:
            packet.file.storage.delete(stored_name)
        raise
    return packet


def packet_issued_notify(*, packet: Packet, request: ReadinessRequest) -> None:
    """Tell the request's owners, its submitter and those who decided it that the packet is out, with its hash.

    The hash in their mailbox is a copy the portal's operator cannot rewrite
    later: whoever holds it can check any file offered as this packet against
    it, on the public verify page, without an account.
    """
    decided_by = Review.objects.filter(
        request_id=request.pk, revision=request.revision, state=ReviewState.DECIDED
    ).values_list("decided_by_id", flat=True)
    ids = {*request.use_case.owner_ids, request.submitted_by_id, *decided_by}
    verify_link = absolute_url(f"{reverse('signoff:packet-verify')}?sha256={packet.sha256}")
    notify(
        users=User.objects.filter(pk__in=ids),
        kind=Kind.PACKET,
        title=f"Packet {packet.packet_id} issued",
        body=(
            f"SHA-256: {packet.sha256}\n"
            f"The sign-off packet of {request.use_case}, readiness request #{request.pk}, is issued. "
            f"Keep this hash: anyone can check a copy of the packet against it, without an account, at {verify_link}"
        ),
        url=packet.get_absolute_url(),
    )
