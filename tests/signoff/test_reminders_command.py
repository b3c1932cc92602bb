"""`manage.py send_reminders`: one sweep, the same code the beat task runs."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from notifications.models import Notification
from signoff.models import OPEN_REVIEW_STATES, Reminder, Review
from signoff.tasks import send_due_reminders
from tests import factories

# A Thursday: the demo's reviews "due four days ago" are then three business days overdue.
THURSDAY = datetime.combine(date(2026, 11, 26), time(9, 30), tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.REMINDER_DAYS_BEFORE_DUE = 1
    settings.ESCALATE_AFTER_DAYS_OVERDUE = 3
    settings.HOLIDAYS = []


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


@time_machine.travel(THURSDAY, tick=False)
def test_command_sends_what_is_due_and_reports_it(ravi, rita):
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 26))
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 20))
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 10))  # not yet

    output = run()

    assert "Sweep for 2026-11-26: 3 due, 3 sent (1 escalations)" in output
    assert "one e-mail each to 2 people in 1 task" in output
    assert sorted(m.to[0] for m in mail.outbox) == ["ravi@bank.example", "rita@bank.example"]
    assert "3 due, 0 sent" in run()
    assert len(mail.outbox) == 2


def test_command_refuses_a_bad_batch_size(db):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        run("--batch-size", "0")
    assert not Reminder.objects.exists()


@time_machine.travel(THURSDAY, tick=False)
def test_the_beat_task_is_the_same_sweep_shared_between_workers(ravi):
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 27))
    # Handed to two shares (REMINDER_SWEEP_SHARES); without a broker they ran before delay() returned.
    assert send_due_reminders.delay().get() == {
        "due": 1,
        "shares": 2,
        "sent": 0,
        "escalations": 0,
        "people": 0,
        "email_tasks": 0,
        "emailed": 0,
    }
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().kind == Reminder.Kind.BEFORE_DUE
    assert Reminder.objects.get().sent_at is not None


@time_machine.travel(THURSDAY, tick=False)
def test_the_beat_task_with_one_share_sends_in_its_own_task(ravi, settings):
    settings.REMINDER_SWEEP_SHARES = 1
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 27))
    assert send_due_reminders.delay().get() == {
        "due": 1,
        "shares": 0,
        "sent": 1,
        "escalations": 0,
        "people": 1,
        "email_tasks": 1,
        "emailed": 0,
    }
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().kind == Reminder.Kind.BEFORE_DUE


@time_machine.travel(THURSDAY, tick=False)
def test_on_the_demo_data_it_sends_reminders_and_escalations(db):
    call_command("seed_demo", stdout=StringIO())
    assert Review.objects.filter(state__in=OPEN_REVIEW_STATES).exists(), "the demo leaves reviews open"

    output = run()

    reminders = Notification.objects.filter(kind="reminder")
    escalations = Notification.objects.filter(kind="escalation")
    # One review three business days past due is reminded and escalated, another reminded before it is due;
    # ravi hears of his two in one e-mail, rita of the escalation in another; the sweep also mails every
    # notification the seeding left waiting.
    assert output == (
        "Sweep for 2026-11-26: 3 due, 3 sent (1 escalations), 0 dropped, 3 notifications, "
        "one e-mail each to 2 people in 1 task, 44 other e-mails, 1 batches.\n"
    )
    assert sorted(reminders.values_list("user__username", "title")) == [
        ("ravi", "Overdue: Risk review of “Health insurance claims triage” is 4 business days overdue"),
        ("ravi", "Reminder: Risk review of “Model monitoring summariser” is due Fri 27 Nov 2026"),
    ]
    # Escalations go to leads only.
    assert list(escalations.values_list("user__username", "title")) == [
        ("rita", "Escalation: Risk review of “Health insurance claims triage” is 4 business days overdue")
    ]
    assert Reminder.objects.filter(kind=Reminder.Kind.ESCALATION, sent_at__isnull=False).count() == 1
    assert len(mail.outbox) == 46  # the two digests and the 44 others

    # Run again the same day: nothing new.
    reminder_count, escalation_count = reminders.count(), escalations.count()
    run()
    assert (reminders.count(), escalations.count()) == (reminder_count, escalation_count)
    # The next business day: the overdue ones are reminded again, no new escalation.
    with time_machine.travel(THURSDAY + timedelta(days=1), tick=False):
        assert run() == (
            "Sweep for 2026-11-27: 3 due, 2 sent (0 escalations), 0 dropped, 2 notifications, "
            "one e-mail each to 1 person in 1 task, 0 other e-mails, 1 batches.\n"
        )
    assert reminders.count() == reminder_count + 2
    assert escalations.count() == escalation_count
