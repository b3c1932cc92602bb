"""Checking the trail: every event re-hashed from its canonical text, every link, and the head's count.

A break is reported at the first event that fails, with why. Three things can
only be caught together: an altered row (its columns no longer say what its
canonical text says, or the text no longer hashes to its hash), a removed or
re-ordered event (a gap in the sequence, or a previous-hash that does not
match), and a trail emptied or cut short (the head remembers how many events
there have ever been).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from audit.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainState:
    count: int
    head_seq: int
    head_hash: str


def _event_break(event: AuditEvent, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if event.seq != expected_seq:
        return ChainBreak(expected_seq, event.pk, f"event #{expected_seq} is missing (next is #{event.seq})")
    if event.prev_hash != prev_hash:
        return ChainBreak(event.seq, event.pk, "its previous-hash does not match the event before it")
    if event.compute_hash() != event.hash:
        return ChainBreak(event.seq, event.pk, "its canonical text does not match its hash (the row was altered)")
    if event.canonical_form() != event.canonical:
        return ChainBreak(event.seq, event.pk, "its columns no longer match its hashed text (the row was altered)")
    return None


def audit_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Walk the chain from the first event; return the first break, or None."""
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return ChainBreak(0, None, "the chain head is missing: the trail was removed")
    prev_hash = AuditEvent.GENESIS_HASH
    expected_seq = 1
    last_id: int | None = None
    qs = AuditEvent.objects.order_by("seq")
    while True:
        batch = list(qs.filter(seq__gte=expected_seq)[:batch_size])
        if not batch:
            break
        for event in batch:
            last_id = event.pk
            if chain_break := _event_break(event, expected_seq, prev_hash):
                return chain_break
            prev_hash = event.hash
            expected_seq += 1
    count = expected_seq - 1
    if head.seq > count:
        return ChainBreak(
            count + 1,
            None,
            f"the trail holds {count} events but has held {head.seq}: it was emptied or cut short",
        )
    if head.seq != count or head.hash != prev_hash:
        return ChainBreak(count, last_id, "the chain head does not match the newest event")
    return None


def audit_verify_extends(*, seq: int, hash: str) -> ChainBreak | None:
    """Does the trail still hold event `seq` with `hash`, and does everything after it link up to the head?

    `audit_verify` checks the links; this adds that the event a checkpoint kept
    outside the database is still the one at that position.
    """
    if chain_break := audit_verify():
        return chain_break
    event = AuditEvent.objects.filter(seq=seq).first()
    if event is None:
        return ChainBreak(seq, None, f"event #{seq} of the checkpoint is not in the trail")
    if event.hash != hash:
        return ChainBreak(seq, event.pk, f"event #{seq} no longer has the checkpoint's hash")
    return None


def audit_state() -> ChainState:
    head = AuditChainHead.objects.filter(pk=1).first()
    return ChainState(
        count=AuditEvent.objects.count(),
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else AuditEvent.GENESIS_HASH,
    )


# Other tables keep records of the chain (a packet's row and file, of its packet.rendered event); apps above
# audit register a check of theirs here, and verify_audit runs them after the chain itself.
CrossCheck = Callable[[], Iterable[ChainBreak]]
_cross_checks: list[CrossCheck] = []


def audit_cross_check_register(check: CrossCheck) -> None:
    if check not in _cross_checks:
        _cross_checks.append(check)


def audit_cross_checks() -> Iterator[ChainBreak]:
    for check in _cross_checks:
        yield from check()
