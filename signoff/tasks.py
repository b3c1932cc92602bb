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
    from signoff.reminders import reviews_sweep_due

    result = reviews_sweep_due()
    return {"sent": result.sent, "escalations": result.escalations, "emailed": result.emailed}
