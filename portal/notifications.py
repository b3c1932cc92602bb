"""Tell people about things they must act on or know about: in the portal, and by e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from portal.models import Notification, User


class Kind:
    ASSIGNED = "assigned"
    DECIDED = "decided"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    PROMOTED = "promoted"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    QUEUED = "queued"


def notify(*, users: Iterable[User], kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one in-app notification per user; e-mail follows after the transaction commits."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    notifications = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title[:200], body=body, url=url) for u in recipients.values()]
    )
    ids = [n.pk for n in notifications if n.pk]
    if ids:
        transaction.on_commit(lambda: _deliver(ids))
    return notifications


def _deliver(notification_ids: list[int]) -> None:
    from portal.tasks import enqueue, send_notification_emails

    enqueue(send_notification_emails, notification_ids)
