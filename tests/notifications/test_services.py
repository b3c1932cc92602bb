"""Notifications: in the portal at once, by e-mail after commit, or in one daily digest."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from accounts.models import User
from notifications.models import Notification
from notifications.services import (
    Kind,
    Message,
    notifications_digest_send,
    notifications_email_send,
    notifications_mark_read,
    notify,
    notify_many,
    user_email_mode_set,
)
from notifications.tasks import send_notification_digests
from tests import factories


class FailOnSecondMessage(EmailBackend):
    """A mail server that takes one message and then fails (outside the machine)."""

    accepted = 0

    def send_messages(self, messages):
        for message in messages:
            if FailOnSecondMessage.accepted == 1:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            FailOnSecondMessage.accepted += 1
            super().send_messages([message])
        return len(messages)


REVIEW_URL = "/signoff/reviews/1/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://stagegate.bank.example"


def test_notify_writes_rows_now_and_mails_after_commit(django_capture_on_commit_callbacks, ravi, rita):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = notify(users=[ravi, rita, ravi], kind=Kind.ASSIGNED, title="Review assigned", url=REVIEW_URL)
        assert len(rows) == 2
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ravi@bank.example", "rita@bank.example"]
    message = mail.outbox[0]
    assert message.subject == "[Stagegate] Review assigned"
    assert "https://stagegate.bank.example/signoff/reviews/1/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert 'href="https://stagegate.bank.example/signoff/reviews/1/"' in message.alternatives[0][0]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_nothing_is_mailed_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, ravi):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[ravi], kind=Kind.DECIDED, title="Decided")
        raise RuntimeError("the change failed")
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_inactive_users_get_nothing_and_users_without_email_only_the_portal(django_capture_on_commit_callbacks, ravi):
    gone = factories.UserFactory(username="gone", is_active=False)
    quiet = factories.UserFactory(username="quiet", email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[gone, quiet, ravi, None], kind=Kind.PROMOTED, title="Promoted")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["quiet", "ravi"]
    assert [m.to for m in mail.outbox] == [["ravi@bank.example"]]


def test_notify_many_is_one_insert(django_assert_num_queries, ravi, rita, carl):
    messages = [Message(users=[ravi, rita], kind=Kind.REMINDER, title=f"Reminder {n}") for n in range(20)]
    messages.append(Message(users=[carl], kind=Kind.ESCALATION, title="Escalation"))
    with django_assert_num_queries(1):
        rows = notify_many(messages=messages, email_after_commit=False)
    assert len(rows) == 41


def test_digest_readers_get_no_immediate_mail_then_one_digest(django_capture_on_commit_callbacks, ravi, rita):
    user_email_mode_set(user=ravi, email_mode=User.EmailMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[ravi, rita], kind=Kind.ASSIGNED, title="First", url="/signoff/reviews/7/")
        notify(users=[ravi], kind=Kind.REMINDER, title="Second")
    assert [m.to for m in mail.outbox] == [["rita@bank.example"]]

    assert send_notification_digests.delay().get() == 1

    digest = mail.outbox[-1]
    assert digest.to == ["ravi@bank.example"]
    assert digest.subject == "[Stagegate] Your daily digest: 2 notifications"
    assert "First" in digest.body and "Second" in digest.body
    assert "https://stagegate.bank.example/signoff/reviews/7/" in digest.body
    assert "https://stagegate.bank.example/signoff/reviews/7/" in digest.alternatives[0][0]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # The next day's run has nothing new to tell.
    assert notifications_digest_send() == 0
    assert len(mail.outbox) == 2


def test_email_mode_must_be_known(ravi):
    with pytest.raises(ValueError, match="Unknown e-mail mode"):
        user_email_mode_set(user=ravi, email_mode="weekly")
    ravi.refresh_from_db()
    assert ravi.email_mode == User.EmailMode.IMMEDIATE


def test_a_mail_server_failure_keeps_the_marks_of_what_was_sent(settings, ravi, rita, carl):
    FailOnSecondMessage.accepted = 0
    settings.EMAIL_BACKEND = "tests.notifications.test_services.FailOnSecondMessage"
    message = Message(users=[ravi, rita, carl], kind=Kind.APPROVED, title="Approved")
    notify_many(messages=[message], email_after_commit=False)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications_email_send()

    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_email_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["carl@bank.example", "ravi@bank.example", "rita@bank.example"]


def test_a_failing_task_in_eager_mode_does_not_fail_the_committed_action(
    settings, django_capture_on_commit_callbacks, caplog, ravi
):
    FailOnSecondMessage.accepted = 1
    settings.EMAIL_BACKEND = "tests.notifications.test_services.FailOnSecondMessage"
    with (
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify(users=[ravi], kind=Kind.CHANGES_REQUESTED, title="Changes requested")
    assert Notification.objects.filter(user=ravi, emailed_at__isnull=True).count() == 1
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("core.tasks", "Task notifications.tasks.send_notification_emails failed; the next sweep catches up.")
    ]


def test_mark_read_touches_only_your_own(ravi, rita):
    mine = notify(users=[ravi], kind=Kind.ASSIGNED, title="Mine")[0]
    theirs = notify(users=[rita], kind=Kind.ASSIGNED, title="Theirs")[0]
    assert notifications_mark_read(user=ravi, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notifications_mark_read(user=rita) == 1
