"""Background work of the audit trail."""

from celery import shared_task


@shared_task(acks_late=True)
def record_refusal_tallies() -> int:
    """Write one audit event per unauthenticated client and finished window of refused writes."""
    from audit.refusals import refusal_tallies_record

    return refusal_tallies_record()
