"""A sweep that dies midway, and two sweeps at once: every reminder is sent, none twice."""

import smtplib
import threading
import time
from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from notifications.models import Notification
from signoff.models import Reminder
from signoff.reminders import reviews_sweep_due
from tests import factories

DAY = date(2026, 12, 1)


class FailOnThirdMessage(EmailBackend):
    """A mail server that accepts two messages, then drops the connection (outside the machine)."""

    accepted = 0

    def send_messages(self, messages):
        for message in messages:
            if FailOnThirdMessage.accepted == 2:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            FailOnThirdMessage.accepted += 1
            super().send_messages([message])
        return len(messages)


class SlowMailServer(EmailBackend):
    """A mail server that takes a moment per message, so two sweeps overlap."""

    def send_messages(self, messages):
        time.sleep(0.02 * len(messages))
        return super().send_messages(messages)


@pytest.fixture
def failing_mail(settings):
    FailOnThirdMessage.accepted = 0
    settings.EMAIL_BACKEND = "tests.signoff.test_reminders_recovery.FailOnThirdMessage"


def _subject(review) -> str:
    return f"[Stagegate] Reminder: Risk review of “{review.request.use_case.title}” is due today"


def _due_reviews(n: int, assignee) -> list:
    return [factories.ReviewFactory(function="risk", assignee=assignee, due_date=DAY) for _ in range(n)]


def test_a_sweep_killed_by_the_mail_server_is_finished_by_the_next_and_nothing_goes_twice(settings, failing_mail, ravi):
    reviews = _due_reviews(5, ravi)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        reviews_sweep_due(today=DAY, batch_size=2)

    # Batch 1 (2 reminders) sent and mailed; batch 2 committed in the portal but
    # its first mail failed; batch 3 never started.
    assert len(mail.outbox) == 2
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 4
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 1
    assert Notification.objects.filter(user=ravi).count() == 4
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = reviews_sweep_due(today=DAY, batch_size=2)

    assert (result.sent, result.emailed) == (1, 3)
    assert len(mail.outbox) == 5
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(_subject(r) for r in reviews)
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    third = reviews_sweep_due(today=DAY, batch_size=2)
    assert (third.sent, third.emailed, len(mail.outbox)) == (0, 0, 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_sweeps_send_each_reminder_exactly_once(settings, ravi, rita):
    settings.EMAIL_BACKEND = "tests.signoff.test_reminders_recovery.SlowMailServer"
    reviews = _due_reviews(30, ravi)
    start = threading.Barrier(2)
    results = []
    errors = []

    def sweep() -> None:
        try:
            start.wait(timeout=10)
            results.append(reviews_sweep_due(today=DAY, batch_size=4))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 2
    assert sum(r.sent for r in results) == 30
    # Both really worked at the same time: each sent part of the batches (how many each is up to the scheduler).
    assert min(r.sent for r in results) > 0, [r.sent for r in results]
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 30
    assert Notification.objects.filter(user=ravi).count() == 30
    assert sorted(m.subject for m in mail.outbox) == sorted(_subject(r) for r in reviews)
