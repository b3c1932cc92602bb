"""Background work of the sign-off app. Tasks take ids, re-fetch, and call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def render_packet(request_id: int) -> None:
    """Render the sign-off packet of an approved readiness request."""
    from signoff.packets import packet_render

    packet_render(request_id=request_id)
