"""verify_audit's check of the packets: each row and stored file against its packet.rendered event."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from audit.models import AuditEvent
from audit.services import Verb
from audit.verify import ChainBreak
from signoff.models import Packet
from signoff.packets.verify import Expected, stored_bytes


def packets_cross_check() -> Iterator[ChainBreak]:
    events = {
        e.object_id: e
        for e in AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED, object_type="signoff.packet").order_by("-seq")
    }
    for packet in Packet.objects.order_by("pk").iterator():
        event = events.get(str(packet.pk))
        if event is None:
            yield ChainBreak(0, None, f"packet {packet.packet_id} has no packet.rendered event in the chain")
            continue
        expected = Expected.of(event)
        if (packet.sha256, packet.unsigned_sha256, packet.size) != (
            expected.sha256,
            expected.unsigned_sha256,
            expected.size,
        ):
            yield ChainBreak(
                event.seq,
                event.pk,
                f"packet {packet.packet_id}: its record no longer matches this packet.rendered event "
                "(the row was changed after issue)",
            )
            continue
        data = stored_bytes(packet)
        if data is None or hashlib.sha256(data).hexdigest() != expected.sha256:
            yield ChainBreak(
                event.seq,
                event.pk,
                f"packet {packet.packet_id}: its stored file is missing or is not the file this event records",
            )
