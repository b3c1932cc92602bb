"""Background work of the sign-off app. Tasks take ids, re-fetch, and call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def render_packet(request_id: int) -> None:
    """Render the sign-off packet of an approved readiness request."""
    from signoff.packets import packet_render

    packet_render(request_id=request_id)


@shared_task(acks_late=True)
def send_due_reminders() -> dict:
    """The periodic reminder sweep (beat); same code path as `manage.py send_reminders`."""
    from signoff.reminders import reviews_sweep_due

    result = reviews_sweep_due()
    return {"sent": result.sent, "escalations": result.escalations, "emailed": result.emailed}
