"""Background work of notifications: e-mail after a notify, one e-mail per person for a sweep, the daily digest."""

from celery import shared_task


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Mail these notifications to the people who want each e-mail as it happens."""
    from notifications.services import notifications_email_send

    return notifications_email_send(notification_ids=notification_ids)


@shared_task(acks_late=True)
def send_notification_digests() -> int:
    """The daily digest for people who chose it."""
    from notifications.services import notifications_digest_send

    return notifications_digest_send()


@shared_task(acks_late=True)
def send_batched_emails(user_ids: list[int]) -> int:
    """One e-mail to each of these people listing their batched notifications (a chunk of the reminder sweep)."""
    from notifications.services import notifications_batched_send

    return notifications_batched_send(user_ids=user_ids)
