"""The audit trail: append-only, hash-chained events.

`audit_record` must run inside the transaction of the change it records, so
the event and the change commit or roll back together.
"""

from __future__ import annotations

import contextvars
import enum
import json
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone

from audit.models import AuditChainHead, AuditEvent, canonical_json

# The address of the request being served, set by AuditContextMiddleware.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)


class Verb(enum.StrEnum):
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    TOKEN_ISSUED = "auth.token_issued"
    PERMISSION_GRANTED = "permission.granted"
    PERMISSION_REVOKED = "permission.revoked"
    MEMBERSHIP_CHANGED = "membership.changed"
    ACCESS_REFUSED = "access.refused"
    USE_CASE_CREATED = "use_case.created"
    USE_CASE_UPDATED = "use_case.updated"
    STAGE_PROMOTED = "stage.promoted"
    STAGE_DEMOTED = "stage.demoted"
    STAGE_RETIRED = "stage.retired"
    VERSION_CREATED = "version.created"
    ARTIFACT_UPLOADED = "artifact.uploaded"
    ARTIFACT_DOWNLOADED = "artifact.downloaded"
    ASSESSMENT_RECORDED = "assessment.recorded"
    READINESS_ANSWERED = "readiness.answered"
    POLICY_CHANGED = "policy.changed"
    REQUEST_CREATED = "request.created"
    REQUEST_SUBMITTED = "request.submitted"
    REQUEST_RESUBMITTED = "request.resubmitted"
    REQUEST_RETURNED = "request.returned"
    REQUEST_WITHDRAWN = "request.withdrawn"
    REQUEST_APPROVED = "request.approved"
    REQUEST_REJECTED = "request.rejected"
    REQUEST_SUPERSEDED = "request.superseded"
    REQUEST_COMMENTED = "request.commented"
    OWNER_ACCEPTED = "request.owner_accepted"
    REVIEW_CLAIMED = "review.claimed"
    REVIEW_ASSIGNED = "review.assigned"
    REVIEW_HANDED_OVER = "review.handed_over"
    REVIEW_DECIDED = "review.decided"
    REVIEW_DECISION_REFUSED = "review.decision_refused"
    CONDITION_MET = "condition.met"
    PACKET_RENDERED = "packet.rendered"
    PACKET_DOWNLOADED = "packet.downloaded"
    PACKET_VERIFIED = "packet.verified"
    AUDIT_EXPORTED = "audit.exported"
    REMINDER_SENT = "reminder.sent"
    ESCALATION_SENT = "escalation.sent"


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: int
    reason: str


def _object_fields(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:255]


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    verb: Verb,
    obj: models.Model | None = None,
    use_case_id: int | None = None,
    request_id: int | None = None,
    changes: dict | None = None,
    actor_label: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the change's transaction."""
    object_type, object_id, object_repr = _object_fields(obj)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            # By id: audit sits below accounts and knows the actor only as an AbstractBaseUser.
            actor_id=actor.pk if actor is not None and actor.pk else None,
            actor_label=actor_label or (actor.get_username() if actor is not None else ""),
            verb=str(verb),
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            use_case_id=use_case_id,
            request_id=request_id,
            changes=changes or {},
            ip_address=ip_address if ip_address is not None else current_ip.get(),
            prev_hash=head.hash,
        )
        # Round-trip through JSON so the hash covers exactly what the database stores.
        event.changes = _json_roundtrip(event.changes)
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def _json_roundtrip(value):
    return json.loads(canonical_json(value))


def audit_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    return head


def audit_verify(*, batch_size: int = 2000) -> ChainBreak | None:
    """Walk the chain from the first event; return the first break, or None."""
    prev_hash = AuditEvent.GENESIS_HASH
    expected_seq = 1
    last_id = 0
    qs = AuditEvent.objects.order_by("seq")
    while True:
        batch = list(qs.filter(seq__gte=expected_seq)[:batch_size])
        if not batch:
            break
        for event in batch:
            last_id = event.pk
            if event.seq != expected_seq:
                return ChainBreak(expected_seq, event.pk, f"event #{expected_seq} is missing (next is #{event.seq})")
            if event.prev_hash != prev_hash:
                return ChainBreak(event.seq, event.pk, "its previous-hash does not match the event before it")
            if event.compute_hash() != event.hash:
                return ChainBreak(event.seq, event.pk, "its content does not match its hash (the row was altered)")
            prev_hash = event.hash
            expected_seq += 1
    head = audit_head()
    if head.seq != expected_seq - 1 or head.hash != prev_hash:
        return ChainBreak(expected_seq - 1, last_id, "the chain head does not match the newest event")
    return None
