"""The audit trail: append-only, hash-chained events.

`audit_record` must run inside the transaction of the change it records, so
the event and the change commit or roll back together.
"""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.canonical import canonical_value
from audit.models import AuditChainHead, AuditEvent

# The address of the request being served, set by AuditContextMiddleware.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_ip", default=None)
# Who the request being served belongs to, read lazily (set by AuditContextMiddleware): for
# records made where no service passes an actor, such as privilege changes caught by signals.
_current_actor: contextvars.ContextVar[Callable[[], AbstractBaseUser | None]] = contextvars.ContextVar(
    "current_actor", default=lambda: None
)


def current_actor() -> AbstractBaseUser | None:
    return _current_actor.get()()


def actor_context_set(getter: Callable[[], AbstractBaseUser | None]) -> contextvars.Token:
    return _current_actor.set(getter)


def actor_context_reset(token: contextvars.Token) -> None:
    _current_actor.reset(token)


class Verb(enum.StrEnum):
    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGOUT = "auth.logout"
    TOKEN_ISSUED = "auth.token_issued"
    TOKEN_REVOKED = "auth.token_revoked"
    SERVICE_ACCOUNT_CREATED = "account.service_account_created"
    # Roles, functions and lead flags made what the identity provider's groups map to (sign-in or provisioning).
    ROLES_SYNCED = "account.roles_synced"
    MFA_ENABLED = "auth.mfa_enabled"
    MFA_REPLACED = "auth.mfa_replaced"
    MFA_REMOVED = "auth.mfa_removed"
    MFA_KEY_ADDED = "auth.mfa_key_added"
    MFA_RECOVERY_CODES_REGENERATED = "auth.mfa_recovery_codes_regenerated"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    REVIEW_RELEASED = "review.released"
    MFA_VERIFIED = "auth.mfa_verified"
    ACCOUNT_CREATED = "account.created"
    PRIVILEGES_CHANGED = "account.privileges_changed"
    PERMISSION_GRANTED = "permission.granted"
    PERMISSION_REVOKED = "permission.revoked"
    MEMBERSHIP_CHANGED = "membership.changed"
    ACCESS_REFUSED = "access.refused"
    ACCESS_REFUSED_ANONYMOUS = "access.refused_anonymous"
    USE_CASE_CREATED = "use_case.created"
    USE_CASE_UPDATED = "use_case.updated"
    STAGE_PROMOTED = "stage.promoted"
    STAGE_DEMOTED = "stage.demoted"
    STAGE_RETIRED = "stage.retired"
    VERSION_CREATED = "version.created"
    VERSION_APPROVED = "version.approved"
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
    CONDITION_MARKED_MET = "condition.marked_met"
    CONDITION_ACCEPTED = "condition.accepted"
    CONDITION_RETURNED = "condition.returned"
    CONDITION_WAIVED = "condition.waived"
    CLASSIFICATION_CHANGE_REQUESTED = "classification.change_requested"
    CLASSIFICATION_CHANGE_APPROVED = "classification.change_approved"
    CLASSIFICATION_CHANGE_REJECTED = "classification.change_rejected"
    USE_CASE_SUSPENDED = "use_case.suspended"
    SUSPENSION_LIFTED = "use_case.suspension_lifted"
    FINDING_RAISED = "finding.raised"
    FINDING_UPDATED = "finding.updated"
    FINDING_REMEDIATED = "finding.remediated"
    FINDING_CLOSED = "finding.closed"
    FINDING_REOPENED = "finding.reopened"
    EXCEPTION_GRANTED = "exception.granted"
    EXCEPTION_WITHDRAWN = "exception.withdrawn"
    INCIDENT_RECORDED = "incident.recorded"
    INCIDENT_UPDATED = "incident.updated"
    INCIDENT_REPORTED = "incident.reported"
    INCIDENT_CLOSED = "incident.closed"
    OBSERVATIONS_RECORDED = "observation.recorded"
    PACKET_RENDERED = "packet.rendered"
    PACKET_DOWNLOADED = "packet.downloaded"
    PACKET_VERIFIED = "packet.verified"
    # A stored packet that no longer matches the chain's record of its issue was asked for and not served.
    PACKET_COPY_REFUSED = "packet.copy_refused"
    AUDIT_EXPORTED = "audit.exported"
    REMINDER_SENT = "reminder.sent"
    ESCALATION_SENT = "escalation.sent"
    # Webhook endpoints: before/after of url, description, events and is_active; never the secret.
    WEBHOOK_ENDPOINT_CREATED = "webhook.endpoint_created"
    WEBHOOK_ENDPOINT_CHANGED = "webhook.endpoint_changed"
    WEBHOOK_ENDPOINT_DELETED = "webhook.endpoint_deleted"
    WEBHOOK_ENDPOINT_DISABLED = "webhook.endpoint_disabled"
    WEBHOOK_ENDPOINT_ENABLED = "webhook.endpoint_enabled"


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
        # The columns hold the canonical values, and `canonical` the exact text the hash covers.
        event.changes = canonical_value(event.changes)
        event.ip_address = _ip_clean(event.ip_address)
        event.canonical = event.canonical_form()
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def _ip_clean(address: str | None) -> str | None:
    # Stored as the database column will give it back (IPv6 in its shortest form), so the text hashed matches.
    if address and ":" in address:
        try:
            return clean_ipv6_address(address)
        except ValidationError:
            return None
    return address or None


def audit_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    return head
