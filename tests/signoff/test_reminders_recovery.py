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
from signoff.reminders import reviews_sweep_due, sweep
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


def _due_reviews(n: int, assignee) -> list:
    return [factories.ReviewFactory(function="risk", assignee=assignee, due_date=DAY) for _ in range(n)]


def listed(review) -> str:
    return f"https://stagegate.bank.example/signoff/reviews/{review.pk}/"


def test_a_sweep_whose_mail_server_fails_is_finished_by_the_next_and_nothing_goes_twice(
    settings, monkeypatch, failing_mail, caplog, ravi, rita, cora, leo
):
    settings.SITE_URL = "https://stagegate.bank.example"
    monkeypatch.setattr(sweep, "EMAIL_PEOPLE_PER_TASK", 1)
    due = {user: _due_reviews(2, user) for user in (ravi, cora, leo, rita)}

    first = reviews_sweep_due(today=DAY, batch_size=3)

    # Every reminder is sent in the portal; each person's e-mail is its own task: the first two went out,
    # the third found the mail server gone (logged; the sweep's work stands), the fourth was not stopped by it.
    assert (first.sent, first.notifications, first.people) == (8, 8, 4)
    assert "next sweep catches up" in caplog.text
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 4

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    second = reviews_sweep_due(today=DAY, batch_size=3)

    assert (second.sent, second.people) == (0, 2)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # Each person had exactly one e-mail, listing both of their reviews once.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in due)
    for user, reviews in due.items():
        [message] = [m for m in mail.outbox if m.to == [user.email]]
        assert [message.body.count(listed(r)) for r in reviews] == [1, 1]

    third = reviews_sweep_due(today=DAY, batch_size=3)
    assert (third.sent, third.people, len(mail.outbox)) == (0, 0, 4)


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
    # ravi's reminders went out in one e-mail per sweep at most, each listed in exactly one of them.
    assert 1 <= len(mail.outbox) <= 2
    bodies = "".join(m.body for m in mail.outbox)
    assert [bodies.count(f"/signoff/reviews/{r.pk}/") for r in reviews] == [1] * 30
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
