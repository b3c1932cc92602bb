"""Writes of the webhooks app: endpoints (administrators), events (everything above), deliveries (workers).

Services run in one transaction each and audit endpoint changes in it; sending happens after commit, in
a worker, never inside anyone's transaction.
"""

from webhooks.services.deliver import backoff_seconds, webhook_deliveries_due, webhook_delivery_attempt
from webhooks.services.emit import webhook_emit, webhook_event_store, webhook_wanted
from webhooks.services.endpoints import (
    endpoint_state,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
    webhook_endpoint_ping,
    webhook_endpoint_update,
)

__all__ = [
    "backoff_seconds",
    "endpoint_state",
    "webhook_deliveries_due",
    "webhook_delivery_attempt",
    "webhook_emit",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_enable",
    "webhook_endpoint_ping",
    "webhook_endpoint_update",
    "webhook_event_store",
    "webhook_wanted",
]
