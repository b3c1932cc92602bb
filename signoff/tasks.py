"""Background work of the sign-off app. Tasks take ids, re-fetch, and call one service."""

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def render_packet(request_id: int) -> str | None:
    """Render the sign-off packet of an approved readiness request (once; a rerun returns the stored one)."""
    from signoff.models import ReadinessRequest
    from signoff.packets import packet_render

    request = ReadinessRequest.objects.filter(pk=request_id).first()
    if request is None:
        return None
    return packet_render(request=request).packet_id


@shared_task(acks_late=True)
def send_due_reminders() -> dict:
    """The periodic reminder sweep (beat); same code path as `manage.py send_reminders`."""
    from django.conf import settings

    from signoff.reminders import reviews_sweep_due

    result = reviews_sweep_due(shares=settings.REMINDER_SWEEP_SHARES)
    return {
        "due": result.due,
        "shares": result.shares,
        "sent": result.sent,
        "escalations": result.escalations,
        "people": result.people,
        "email_tasks": result.email_tasks,
        "emailed": result.emailed,
    }


@shared_task(acks_late=True)
def send_reminder_share(today: str, batch_size: int) -> dict:
    """A worker's share of the sweep's sending (claimed batch by batch); the last share mails everyone."""
    from datetime import date

    from signoff.reminders import reminders_send_share

    result = reminders_send_share(today=date.fromisoformat(today), batch_size=batch_size)
    return {"sent": result.sent, "escalations": result.escalations, "people": result.people}


@shared_task(acks_late=True)
def render_missing_packets(limit: int = 50) -> int:
    """Queue a render for approved requests that still have no packet.

    Approval enqueues the render after commit; if the broker was down at that
    moment, or a render gave up after its retries, this periodic catch-up is
    what eventually produces the packet.
    """
    from core.tasks import enqueue
    from signoff.models import ReadinessRequest, RequestState

    missing = list(
        ReadinessRequest.objects.filter(state=RequestState.APPROVED, packet__isnull=True)
        .order_by("decided_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for request_id in missing:
        enqueue(render_packet, request_id)
    return len(missing)
