"""Reading the audit trail: who may, CSV rows, and the chain's verification status (filters: portal/filters.py).

Auditors and administrators read the whole trail. Other role holders do not:
it holds sign-ins, failed sign-ins, addresses and refusals across the bank,
and the events that concern a decision already reach them in its packet. An
account without a role cannot tell the trail exists (404).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.canonical import canonical_json
from audit.models import AuditEvent
from audit.services import Verb, audit_head, audit_record
from audit.verify import audit_verify
from lifecycle.models import UseCase

# Walking the chain costs one read of every event. Up to this many events the
# page verifies whenever the chain has grown since the last check; beyond it,
# the page shows the last result and offers "verify now", so a page load never
# turns into a full-table scan of a long trail.
VERIFY_INLINE_MAX_EVENTS = 2000
CHAIN_STATUS_CACHE_KEY = "audit:chain-status"
CHAIN_STATUS_CACHE_SECONDS = 24 * 60 * 60

CSV_COLUMNS = (
    "seq",
    "created_at_utc",
    "actor_id",
    "actor",
    "verb",
    "object_type",
    "object_id",
    "object",
    "use_case_id",
    "request_id",
    "ip_address",
    "changes",
    "prev_hash",
    "hash",
    # The exact text the hash covers: a row re-hashes outside the portal from this cell alone
    # (docs/canonical-json.md), whatever a spreadsheet does to the readable cells beside it.
    "canonical",
)
# Spreadsheets run cells that start with these as formulas; an exported trail must never execute.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def audit_may_read(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.has_role(Role.AUDITOR) or user.is_portal_admin)


def audit_trail_check(user: User) -> None:
    """404 for accounts without a role, 403 with the reason for role holders who are not auditors."""
    if not user.is_authenticated or not user.has_any_role:
        raise Http404("No such page.")
    if not audit_may_read(user):
        raise PermissionDenied(
            "The audit trail is open to auditors and administrators; "
            "the events of an approved request are printed in its sign-off packet."
        )


def audit_events_readable(user: User) -> QuerySet[AuditEvent]:
    """The whole trail, newest first, for those who may read it; the rest get 404 or 403 here."""
    audit_trail_check(user)
    return AuditEvent.objects.order_by("-seq")


def use_case_slugs(events: list[AuditEvent]) -> dict[int | None, str]:
    """Slugs for the use cases a page of events mentions, in one query, by the events' (nullable) use_case_id."""
    ids = {e.use_case_id for e in events if e.use_case_id}
    return dict(UseCase.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


# CSV ------------------------------------------------------------------------------------


def _cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def audit_csv_rows(*, events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The CSV, a line at a time, reading the events in chunks so a long trail streams in constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for e in events.order_by("seq").iterator(chunk_size=2000):
        writer.writerow(
            [
                e.seq,
                e.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
                e.actor_id if e.actor_id is not None else "",
                _cell(e.actor_label),
                _cell(e.verb),
                _cell(e.object_type),
                _cell(e.object_id),
                _cell(e.object_repr),
                e.use_case_id if e.use_case_id is not None else "",
                e.request_id if e.request_id is not None else "",
                _cell(e.ip_address),
                _cell(canonical_json(e.changes)),
                e.prev_hash,
                e.hash,
                e.canonical,
            ]
        )
        yield flush()


def audit_export_record(*, actor: User, filters: dict, up_to_seq: int) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.AUDIT_EXPORTED,
            changes={"filters": filters, "up_to_seq": up_to_seq, "format": "csv"},
        )


# The chain's verification status --------------------------------------------------------------


@dataclass(frozen=True)
class ChainStatus:
    checked_at: datetime
    head_seq: int
    head_hash: str
    ok: bool
    break_seq: int | None = None
    reason: str = ""


def _verify_and_cache() -> ChainStatus:
    head = audit_head()
    chain_break = audit_verify()
    status = ChainStatus(
        checked_at=timezone.now(),
        head_seq=head.seq,
        head_hash=head.hash,
        ok=chain_break is None,
        break_seq=chain_break.seq if chain_break else None,
        reason=chain_break.reason if chain_break else "",
    )
    cache.set(CHAIN_STATUS_CACHE_KEY, asdict(status), CHAIN_STATUS_CACHE_SECONDS)
    return status


def audit_chain_status(*, verify_now: bool = False) -> tuple[ChainStatus | None, int]:
    """The last verification of the chain and the current head's seq (to show how far behind it is)."""
    head_seq = audit_head().seq
    cached = cache.get(CHAIN_STATUS_CACHE_KEY)
    status = ChainStatus(**cached) if cached else None
    stale = status is None or status.head_seq != head_seq
    if verify_now or (stale and head_seq <= VERIFY_INLINE_MAX_EVENTS):
        status = _verify_and_cache()
        head_seq = status.head_seq
    return status, head_seq
