"""Tell people about things they must act on or know about: in the portal, and by e-mail.

A notification is a row first (the in-app list), written in the caller's
transaction. E-mail follows after commit, tracked on the same row by
`emailed_at`, so whatever could not be mailed (broker down, mail server down)
is found and sent by the next sweep, and nothing is mailed twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import User
from notifications.models import Notification

logger = logging.getLogger(__name__)

# Notifications locked and mailed in one transaction; the marks of those sent
# are committed even when a later one fails.
EMAIL_BATCH_SIZE = 200


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    DECIDED = "decided", "Decided"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PROMOTED = "promoted", "Promoted"
    REMINDER = "reminder", "Reminder"
    ESCALATION = "escalation", "Escalation"
    QUEUED = "queued", "In your function's queue"
    SUSPENDED = "suspended", "Suspended"
    LIFTED = "lifted", "Suspension lifted"
    FINDING = "finding", "Finding"
    INCIDENT = "incident", "Incident"
    PACKET = "packet", "Packet issued"


@dataclass(frozen=True)
class Message:
    """One notification to a group of people."""

    users: Sequence[User]
    kind: str
    title: str
    body: str = ""
    url: str = ""


def notify(*, users: Iterable[User], kind: str, title: str, body: str = "", url: str = "") -> list[Notification]:
    """Create one in-app notification per user; e-mail follows after the transaction commits."""
    return notify_many(messages=[Message(users=list(users), kind=kind, title=title, body=body, url=url)])


def notify_many(
    *, messages: Iterable[Message], email_after_commit: bool = True, batched: bool = False
) -> list[Notification]:
    """Create the notifications of many messages with one INSERT and one e-mail task after commit.

    Inactive users and duplicates within a message are left out. A caller that
    mails the rows itself after its commit (the sweep) passes
    email_after_commit=False; with batched=True the rows are mailed only by
    `notifications_batched_send`, one e-mail per person listing them all.
    """
    rows: list[Notification] = []
    for message in messages:
        recipients = {u.pk: u for u in message.users if u is not None and u.is_active}
        rows.extend(
            Notification(
                user=u,
                kind=message.kind,
                title=message.title[:200],
                body=message.body,
                url=message.url,
                batched=batched,
            )
            for u in recipients.values()
        )
    if not rows:
        return []
    notifications = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in notifications if n.pk]
    if ids and email_after_commit:
        transaction.on_commit(lambda: _deliver(ids))
    return notifications


def _deliver(notification_ids: list[int]) -> None:
    from core.tasks import enqueue
    from notifications.tasks import send_notification_emails

    enqueue(send_notification_emails, notification_ids)


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def _lock_unmailed(qs: models.QuerySet[Notification]) -> models.QuerySet[Notification]:
    # of=("self",): lock the notification rows only, never the joined user rows
    # (a sign-in updates last_login and must not wait for a mail server).
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    # SQLite takes the database write lock at BEGIN (transaction_mode IMMEDIATE),
    # so senders are serialised and the emailed_at check inside is enough.
    return qs.select_for_update()


def _immediate_unmailed(*, batched: bool = False) -> models.QuerySet[Notification]:
    return (
        Notification.objects.filter(
            emailed_at__isnull=True, user__is_active=True, user__email_mode=User.EmailMode.IMMEDIATE, batched=batched
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("id")
    )


def _notification_email(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "notification": notification,
        "user": notification.user,
        "link": absolute_url(notification.get_absolute_url()),
        "settings_link": absolute_url(reverse("notifications:settings")),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {notification.title}",
        body=render_to_string("email/notification.txt", context),
        to=[notification.user.email],
    )
    message.attach_alternative(render_to_string("email/notification.html", context), "text/html")
    return message


def _send_and_mark(rows: list[Notification], build) -> int:
    """Send one message per row; mark the rows sent so far even if one fails, then re-raise.

    Runs inside the caller's transaction, so the marks commit with it.
    """
    sent_ids: list[int] = []
    now = timezone.now()
    try:
        # One connection to the mail server for the whole batch.
        with get_connection() as mail:
            for row in rows:
                mail.send_messages([build(row)])
                sent_ids.append(row.pk)
    finally:
        if sent_ids:
            Notification.objects.filter(pk__in=sent_ids).update(emailed_at=now)
    return len(sent_ids)


def notifications_email_send(
    *, notification_ids: Sequence[int] | None = None, batch_size: int = EMAIL_BATCH_SIZE
) -> int:
    """Mail the not-yet-mailed notifications of people who want each e-mail as it happens.

    With ids, only those (the task after a notify); without, every one still
    waiting (the sweep's catch-up after a broker or mail-server outage).
    Returns how many were mailed. A failing mail server raises after the
    marks of the mails already sent are committed: a rerun sends the rest.
    """
    total = 0
    last_id = 0
    while True:
        failure: Exception | None = None
        with transaction.atomic():
            qs = _immediate_unmailed().filter(pk__gt=last_id)
            if notification_ids is not None:
                qs = qs.filter(pk__in=list(notification_ids))
            rows = list(_lock_unmailed(qs)[:batch_size])
            if not rows:
                return total
            last_id = rows[-1].pk
            try:
                total += _send_and_mark(rows, _notification_email)
            except Exception as exc:
                # Leave the atomic block normally so the marks of the mails
                # already sent commit; re-raise outside it.
                failure = exc
        if failure is not None:
            raise failure


def _digest_email(user: User, notifications: list[Notification], day: datetime) -> EmailMultiAlternatives:
    items = [(n, absolute_url(n.get_absolute_url())) for n in notifications]
    context = {
        "user": user,
        "items": items,
        "day": day,
        "list_link": absolute_url(reverse("notifications:list")),
        "settings_link": absolute_url(reverse("notifications:settings")),
        "site_name": settings.SITE_NAME,
    }
    count = len(notifications)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] Your daily digest: {count} notification{'s' if count != 1 else ''}",
        body=render_to_string("email/digest.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("email/digest.html", context), "text/html")
    return message


def notifications_digest_send(*, user_batch_size: int = 100) -> int:
    """Send each digest-mode user one e-mail listing their notifications not yet mailed.

    Idempotent: the rows are locked and marked mailed in the transaction that
    sends the digest, so a second run the same day finds nothing. Returns the
    number of digests sent.
    """
    sent = 0
    last_user_id = 0
    day = timezone.now()
    base = (
        Notification.objects.filter(
            emailed_at__isnull=True, user__is_active=True, user__email_mode=User.EmailMode.DIGEST
        )
        .exclude(user__email="")
        .select_related("user")
    )
    while True:
        user_ids = list(
            base.filter(user_id__gt=last_user_id)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            .distinct()[:user_batch_size]
        )
        if not user_ids:
            return sent
        last_user_id = user_ids[-1]
        failure: Exception | None = None
        with transaction.atomic():
            by_user: dict[int, list[Notification]] = defaultdict(list)
            for notification in _lock_unmailed(
                base.filter(user_id__in=user_ids).order_by("user_id", "created_at", "id")
            ):
                by_user[notification.user_id].append(notification)
            digests = [(rows[0].user, rows) for rows in by_user.values()]
            sent_ids: list[int] = []
            try:
                with get_connection() as mail:
                    for user, rows in digests:
                        mail.send_messages([_digest_email(user, rows, day)])
                        sent_ids.extend(n.pk for n in rows)
                        sent += 1
            except Exception as exc:
                failure = exc
            if sent_ids:
                Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
        if failure is not None:
            raise failure


def _batched_email(user: User, notifications: list[Notification]) -> EmailMultiAlternatives:
    # A person may have a thousand things listed: the list is written here, line by line, rather than by a
    # template loop (which took most of a sweep's mailing time); the templates place it.
    items = [(n, absolute_url(n.get_absolute_url())) for n in notifications]
    context = {
        "user": user,
        "count": len(items),
        "item_lines": "".join(f"\n- {n.title}\n  {link}" for n, link in items),
        "item_list": format_html_join(
            "\n",
            '<li><a href="{}">{}</a>{}</li>',
            (
                (link, n.title, format_html("<br><small>{}</small>", _shortened(n.body)) if n.body else "")
                for n, link in items
            ),
        ),
        "list_link": absolute_url(reverse("notifications:list")),
        "settings_link": absolute_url(reverse("notifications:settings")),
        "site_name": settings.SITE_NAME,
    }
    count = len(notifications)
    subject = notifications[0].title if count == 1 else f"{count} things that need you, due or overdue"
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string("email/batched.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("email/batched.html", context), "text/html")
    return message


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notifications_batched_recipients() -> list[tuple[int, int]]:
    """(user id, how many) of the people with batched notifications waiting for their e-mail (immediate mode)."""
    rows = _immediate_unmailed(batched=True).order_by().values_list("user_id").annotate(n=models.Count("id"))
    return sorted(rows)


def notifications_batched_send(*, user_ids: Sequence[int]) -> int:
    """Mail each of these people one e-mail listing all their batched notifications not yet mailed.

    The rows are locked (skipping rows another sender holds) and marked mailed
    in the transaction that sends them, so overlapping senders, reruns and a
    sweep that died halfway send nothing twice. People who chose the daily
    digest get these in it instead. Returns the number of e-mails sent; a
    failing mail server raises after the marks of those already sent commit.
    """
    failure: Exception | None = None
    sent = 0
    with transaction.atomic():
        by_user: dict[int, list[Notification]] = defaultdict(list)
        rows = _immediate_unmailed(batched=True).filter(user_id__in=list(user_ids)).order_by("user_id", "id")
        for notification in _lock_unmailed(rows):
            by_user[notification.user_id].append(notification)
        sent_ids: list[int] = []
        try:
            with get_connection() as mail:
                for notifications in by_user.values():
                    mail.send_messages([_batched_email(notifications[0].user, notifications)])
                    sent_ids.extend(n.pk for n in notifications)
                    sent += 1
        except Exception as exc:
            failure = exc
        if sent_ids:
            Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    if failure is not None:
        raise failure
    return sent


def notifications_mark_read(*, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's own unread notifications read (all, or those ids). Others' ids match nothing."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def user_email_mode_set(*, user: User, email_mode: str) -> User:
    """Choose immediate e-mails or one daily digest."""
    if email_mode not in User.EmailMode.values:
        raise ValueError(f"Unknown e-mail mode {email_mode!r}.")
    User.objects.filter(pk=user.pk).update(email_mode=email_mode)
    user.email_mode = email_mode
    return user
