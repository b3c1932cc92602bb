"""Administrators' writes on endpoints: register, change, delete, re-enable, and the test ping.

Every change is audited with the endpoint as it was and as it is, in the fields that decide where
events go and which; never the secret, which would otherwise sit forever in an append-only table that
auditors export.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from webhooks.models import SUBSCRIBABLE_TYPES, EventType, WebhookEndpoint, WebhookEvent
from webhooks.payloads import timestamp
from webhooks.services.emit import webhook_event_store
from webhooks.targets import target_refusal

AUDITED_FIELDS = ("url", "description", "events", "is_active")


def endpoint_state(endpoint: WebhookEndpoint) -> dict:
    """What the audit trail records of an endpoint: where, what for, which events, whether on."""
    return {field: getattr(endpoint, field) for field in AUDITED_FIELDS}


def _refuse_non_admin(actor: User) -> None:
    if not actor.is_portal_admin:
        raise PermissionDenied("Only administrators manage webhook endpoints.")


def _cleaned_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(SUBSCRIBABLE_TYPES))
    if unknown:
        raise ValidationError({"events": f"Unknown event types: {', '.join(unknown)}."})
    # Stored in the order the types are listed, so the same choice is always the same list (and audit diff).
    return [t.value for t in SUBSCRIBABLE_TYPES if t in events]


def _checked(endpoint: WebhookEndpoint, *, target: bool = True) -> None:
    endpoint.full_clean(exclude=["created_by"])
    if target and (refusal := target_refusal(endpoint.url)) is not None:
        raise ValidationError({"url": refusal})


def webhook_endpoint_create(
    *, actor: User, url: str, description: str = "", events: list[str] | None = None, is_active: bool = True
) -> WebhookEndpoint:
    """Register an endpoint; its secret is generated here and shown to administrators on its page."""
    _refuse_non_admin(actor)
    endpoint = WebhookEndpoint(
        url=url.strip(), description=description.strip(), events=_cleaned_events(events or []), created_by=actor
    )
    if not is_active:
        _turn(endpoint, on=False, actor=actor)
    _checked(endpoint)
    with transaction.atomic():
        endpoint.save(force_insert=True)
        audit_record(
            actor=actor,
            verb=Verb.WEBHOOK_ENDPOINT_CREATED,
            obj=endpoint,
            changes={"before": None, "after": endpoint_state(endpoint)},
        )
    return endpoint


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    except WebhookEndpoint.DoesNotExist:
        raise ValidationError("This webhook endpoint no longer exists.") from None


def _turn(endpoint: WebhookEndpoint, *, on: bool, actor: User) -> None:
    if on:
        # Re-enabled by a person: the count starts again, and the reason for the old disabling goes.
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
    else:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = f"Disabled by {actor.get_username()}."
    endpoint.is_active = on


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, actor: User, url: str, description: str, events: list[str], is_active: bool
) -> WebhookEndpoint:
    """Change where an endpoint is, what it is for, which events it gets, or whether it gets any."""
    _refuse_non_admin(actor)
    with transaction.atomic():
        endpoint = _lock(endpoint)
        before = endpoint_state(endpoint)
        endpoint.url = url.strip()
        endpoint.description = description.strip()
        endpoint.events = _cleaned_events(events)
        turned_on = is_active and not endpoint.is_active
        if is_active != endpoint.is_active:
            _turn(endpoint, on=is_active, actor=actor)
        # Switching an endpoint on checks its address again (DNS may have moved it since it was saved);
        # switching one off, or changing its description, must work whatever its address does now.
        _checked(endpoint, target=endpoint.url != before["url"] or turned_on)
        after = endpoint_state(endpoint)
        if after == before:
            return endpoint
        endpoint.save()
        audit_record(
            actor=actor, verb=Verb.WEBHOOK_ENDPOINT_CHANGED, obj=endpoint, changes={"before": before, "after": after}
        )
    return endpoint


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEndpoint:
    """Switch a disabled endpoint back on; its failure count starts again from zero."""
    _refuse_non_admin(actor)
    with transaction.atomic():
        endpoint = _lock(endpoint)
        if endpoint.is_active:
            raise ValidationError("This endpoint is already enabled.")
        disabled_reason = endpoint.disabled_reason
        _turn(endpoint, on=True, actor=actor)
        _checked(endpoint)
        endpoint.save(update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"])
        audit_record(
            actor=actor,
            verb=Verb.WEBHOOK_ENDPOINT_ENABLED,
            obj=endpoint,
            changes={"is_active": [False, True], "was_disabled_because": disabled_reason},
        )
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Remove an endpoint and its delivery log; the audit trail keeps what it was."""
    _refuse_non_admin(actor)
    with transaction.atomic():
        endpoint = _lock(endpoint)
        audit_record(
            actor=actor,
            verb=Verb.WEBHOOK_ENDPOINT_DELETED,
            obj=endpoint,
            changes={"before": endpoint_state(endpoint), "after": None},
        )
        endpoint.delete()


def webhook_endpoint_ping(*, endpoint: WebhookEndpoint, actor: User) -> WebhookEvent:
    """Send a `webhook.test` event to this endpoint alone, enabled or not, tried once."""
    _refuse_non_admin(actor)
    with transaction.atomic():
        endpoint = _lock(endpoint)
        return webhook_event_store(
            type=EventType.TEST,
            payload={
                "endpoint": endpoint.pk,
                "message": "A test ping from Stagegate: the endpoint is reachable and the signature verifies.",
                "sent_at": timestamp(timezone.now()),
            },
            endpoints=[endpoint],
        )
