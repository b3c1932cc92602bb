"""Background work of webhooks. Tasks take ids, re-fetch, and call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> int | None:
    """One attempt of one delivery; the number of the attempt made, or None when there was nothing to do.

    Safe to run twice (late acknowledgement redelivers a task whose worker died): the attempt claims the
    delivery first, and a delivery already claimed, finished or not yet due is left alone.
    """
    from webhooks.services import webhook_delivery_attempt

    attempt = webhook_delivery_attempt(delivery_id=delivery_id)
    return attempt.number if attempt is not None else None


@shared_task(acks_late=True)
def deliver_due_webhooks(limit: int = 500) -> int:
    """The periodic catch-up: queue every delivery whose attempt is due but whose task never ran (broker outage)."""
    from core.tasks import enqueue
    from webhooks.services import webhook_deliveries_due

    due = webhook_deliveries_due(limit=limit)
    for delivery_id in due:
        enqueue(deliver_webhook, delivery_id)
    return len(due)
