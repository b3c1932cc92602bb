"""What a packet carries inside it for offline checking: PDF/A-3 attachments in canonical JSON.

Each is RFC 8785 canonical JSON (audit/canonical.py, docs/canonical-json.md),
embedded with AFRelationship /Data and dated with the approval, so the
document stays reproducible:

- packet.json: the packet's identity, the request, its evidence snapshot and
  the chain head at approval;
- policy.json: the gate policy applied at approval, requirement by requirement;
- events.json: the audit events the packet lists, each with its canonical text,
  previous hash and hash, so anyone can re-hash each one and check that the
  last is the chain head the packet names.
"""

from __future__ import annotations

from weasyprint import Attachment

from audit.canonical import canonical_json
from audit.models import AuditEvent
from signoff.packets.context import PacketContext

FORMAT = "stagegate-packet/1"


def packet_attachments(context: PacketContext) -> list[Attachment]:
    request = context.request
    when = request.decided_at or request.created_at
    events = list(
        AuditEvent.objects.filter(seq__in=[e.seq for e in context.events])
        .order_by("seq")
        .values("seq", "prev_hash", "hash", "canonical")
    )
    documents = {
        "packet.json": (
            "The packet, its request, the evidence snapshot and the audit chain head at approval",
            {
                "format": FORMAT,
                "packet_id": context.packet_id,
                "use_case": context.registry.slug,
                "request": {
                    "id": request.pk,
                    "revision": request.revision,
                    "from_stage": request.from_stage,
                    "target_stage": request.target_stage,
                    "decided_at": request.decided_at,
                    "snapshot_hash": request.snapshot_hash,
                },
                "evidence_snapshot": request.evidence_snapshot or {},
                "chain_head": {"seq": context.chain.seq, "hash": context.chain.hash},
            },
        ),
        "policy.json": ("The gate policy applied at approval", {"format": FORMAT, "gate": context.gate}),
        "events.json": (
            "The audit events listed in the packet, with the canonical text each hash covers",
            {"format": FORMAT, "chain_head": {"seq": context.chain.seq, "hash": context.chain.hash}, "events": events},
        ),
    }
    return [
        Attachment(
            string=canonical_json(content),
            name=name,
            description=description,
            created=when,
            modified=when,
            relationship="Data",
        )
        for name, (description, content) in documents.items()
    ]
