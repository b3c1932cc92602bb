"""The sweep on real Celery workers: each person's one e-mail is rendered and sent in parallel chunks, once."""

from celery.contrib.testing.worker import start_worker
from django.core import mail

from notifications.models import Notification
from portal.celery import app as celery_app
from signoff.models import Reminder
from signoff.reminders import reminder_today, sweep
from signoff.tasks import send_due_reminders
from tests import factories
from tests.broker import on_real_services, wait_for

PEOPLE = 6
DUE_EACH = 4


@on_real_services
def test_two_sweeps_at_once_on_two_worker_threads_mail_each_reminder_once(broker, monkeypatch, settings):
    settings.SITE_URL = "https://stagegate.bank.example"
    monkeypatch.setattr(sweep, "EMAIL_PEOPLE_PER_TASK", 2)  # six people: three e-mail tasks per sweep
    people = [factories.reviewer(f"member{n}", "risk") for n in range(PEOPLE)]
    reviews = {
        person: [
            factories.ReviewFactory(function="risk", assignee=person, due_date=reminder_today())
            for _ in range(DUE_EACH)
        ]
        for person in people
    }

    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
        assert not celery_app.conf.task_always_eager
        send_due_reminders.delay()
        send_due_reminders.delay()
        mailed = Notification.objects.filter(emailed_at__isnull=False)
        wait_for(lambda: mailed.count() == PEOPLE * DUE_EACH, timeout=60)

    assert Reminder.objects.filter(sent_at__isnull=False).count() == PEOPLE * DUE_EACH
    assert Notification.objects.count() == PEOPLE * DUE_EACH
    for person, theirs in reviews.items():
        mails = [m for m in mail.outbox if m.to == [person.email]]
        # One e-mail, or two when the sweeps split a person's reminders between them; never one reminder twice.
        assert 1 <= len(mails) <= 2
        bodies = "".join(m.body for m in mails)
        links = [f"https://stagegate.bank.example/signoff/reviews/{r.pk}/" for r in theirs]
        assert [bodies.count(link) for link in links] == [1] * DUE_EACH


@on_real_services
def test_one_sweep_shared_between_three_worker_tasks_sends_each_reminder_once_and_each_person_one_email(
    broker, monkeypatch, settings
):
    settings.SITE_URL = "https://stagegate.bank.example"
    settings.REMINDER_SWEEP_SHARES = 3
    monkeypatch.setattr(sweep, "EMAIL_PEOPLE_PER_TASK", 2)
    people = [factories.reviewer(f"member{n}", "risk") for n in range(PEOPLE)]
    reviews = {
        person: [
            factories.ReviewFactory(function="risk", assignee=person, due_date=reminder_today())
            for _ in range(DUE_EACH)
        ]
        for person in people
    }

    with start_worker(celery_app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
        send_due_reminders.delay()
        mailed = Notification.objects.filter(emailed_at__isnull=False)
        wait_for(lambda: mailed.count() == PEOPLE * DUE_EACH, timeout=60)

    assert Reminder.objects.filter(sent_at__isnull=False).count() == PEOPLE * DUE_EACH
    assert Notification.objects.count() == PEOPLE * DUE_EACH
    for person, theirs in reviews.items():
        [message] = [m for m in mail.outbox if m.to == [person.email]]
        links = [f"https://stagegate.bank.example/signoff/reviews/{r.pk}/" for r in theirs]
        assert [message.body.count(link) for link in links] == [1] * DUE_EACH
