import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from portal.models import Notification

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Send a task to the broker; never let a broker outage fail the user's action."""
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not enqueue %s; the next sweep will catch up.", task.name, exc_info=True)


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user"
    ):
        if not notification.user.email:
            continue
        send_mail(
            subject=f"[Stagegate] {notification.title}",
            message=f"{notification.body}\n\n{settings.SITE_URL}{notification.get_absolute_url()}",
            from_email=None,
            recipient_list=[notification.user.email],
        )
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
