"""Who sees which packets, and the record of each download and verification."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from audit.services import Verb, audit_record
from core.exceptions import Conflict
from lifecycle.access import sees_every_use_case, use_cases_visible_to
from signoff.models import Packet, RequestState
from signoff.packets.verify import Verification, packet_expected, packet_file_intact, stored_bytes


def packets_visible_to(user: User) -> QuerySet[Packet]:
    """Packets of the use cases the user may see.

    Auditors and administrators see every packet. The registry is visible to
    every role holder (lifecycle.access), and a packet is the record of a
    decision about a registry entry, so engineers and reviewers see the
    packets of the same use cases; an account without a role sees none.
    """
    if sees_every_use_case(user):
        return Packet.objects.all()  # no subquery of every use case: the list reads a page of its index
    return Packet.objects.filter(request__use_case__in=use_cases_visible_to(user))


def packets_for_list(*, user: User) -> QuerySet[Packet]:
    """The packets `user` may see, with what a row shows; signoff/filters.py filters and sorts them."""
    # Only approved requests have packets; saying so lets the newest-first order walk their index alone.
    return packets_visible_to(user).filter(request__state=RequestState.APPROVED).select_related("request__use_case")


def get_packet_for_user(user: User, packet_id: str) -> Packet:
    packet = (
        packets_visible_to(user)
        .select_related("request__use_case", "request__submitted_by", "request__version")
        .filter(packet_id=packet_id)
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    return packet


def packet_download_record(*, packet: Packet, actor: User, sha256: str | None = None) -> None:
    """Downloads are evidence too: who took a copy of which packet, and the hash of the bytes they got."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.PACKET_DOWNLOADED,
            obj=packet,
            use_case_id=packet.request.use_case_id,
            request_id=packet.request_id,
            changes={"packet_id": packet.packet_id, "sha256": sha256 or packet.sha256},
        )


def packet_download_bytes(*, packet: Packet, actor: User) -> bytes:
    """The stored packet, checked against the chain's record of its issue before it is handed out.

    A stored copy that is not the file the chain records (replaced, altered,
    its row rewritten to match) is never served as the packet: the refusal is
    recorded and the caller gets a Conflict saying why. A download records the
    hash of the very bytes served.
    """
    data = stored_bytes(packet)
    if data is None:
        raise Http404("The packet's file is missing from storage; tell an administrator.")
    served = hashlib.sha256(data).hexdigest()
    if not packet_file_intact(packet, data=data):
        expected = packet_expected(packet)
        with transaction.atomic():
            audit_record(
                actor=actor,
                verb=Verb.PACKET_COPY_REFUSED,
                obj=packet,
                use_case_id=packet.request.use_case_id,
                request_id=packet.request_id,
                changes={
                    "packet_id": packet.packet_id,
                    "stored_sha256": served,
                    "record_sha256": packet.sha256,
                    "issued_sha256": expected.sha256 if expected is not None else None,
                },
            )
        raise Conflict(
            f"The stored copy of {packet.packet_id} is not the file the audit chain records as issued, so it is "
            "not served. This has been recorded; tell an administrator."
        )
    packet_download_record(packet=packet, actor=actor, sha256=served)
    return data


def packet_verify_record(*, verification: Verification, actor: User | None) -> None:
    """A signed-in person's verification is recorded; an anonymous one is not (anyone could grow the trail)."""
    if actor is None or not actor.is_authenticated:
        return
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.PACKET_VERIFIED,
            obj=verification.packet,
            use_case_id=verification.packet.request.use_case_id if verification.packet else None,
            request_id=verification.packet.request_id if verification.packet else None,
            changes={
                "sha256": verification.sha256,
                "issued": verification.issued,
                "verdict": verification.verdict,
                "stored_file_intact": verification.stored_file_intact,
            },
        )
