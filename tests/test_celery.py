"""Celery for real: configuration, the beat schedule, a worker on Redis, and a broker outage."""

import logging
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from audit.tasks import record_refusal_tallies
from core import tasks as core_tasks
from notifications import tasks as notification_tasks
from notifications.models import Notification
from notifications.services import Kind, notify
from portal.celery import (
    DIGEST_TASK,
    PACKET_CATCH_UP_TASK,
    REFUSAL_TALLY_TASK,
    SWEEP_TASK,
    WEBHOOK_CATCH_UP_TASK,
    beat_schedule,
)
from portal.celery import app as celery_app
from signoff.models import Reminder
from signoff.reminders.sweep import reminder_today
from signoff.tasks import send_due_reminders
from tests import factories
from tests.broker import on_real_services, records_of, reset_broker_connections, wait_for
from webhooks.tasks import deliver_due_webhooks

ROOT = Path(__file__).resolve().parent.parent
CLOSED_PORT_BROKER = "redis://127.0.0.1:6399/0"


def _settings_in_a_fresh_process(env: dict) -> list[str]:
    code = (
        "import django; django.setup(); from portal.celery import app; "
        "print(app.conf.task_always_eager); print(app.conf.broker_url); print(app.conf.result_backend)"
    )
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_DIR")}
    clean = inherited | env | {"DJANGO_SETTINGS_MODULE": "portal.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.split()


def test_without_redis_tasks_run_eagerly_in_process():
    assert _settings_in_a_fresh_process({}) == ["True", "memory://", "None"]


def test_with_a_broker_folder_the_demo_sends_to_it_for_a_real_worker(tmp_path):
    assert _settings_in_a_fresh_process({"CELERY_BROKER_DIR": str(tmp_path)}) == [
        "False",
        "filesystem://localhost/",
        "None",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["control", "queue"]


def test_with_redis_the_broker_and_result_store_are_redis():
    url = "redis://127.0.0.1:6379/9"
    assert _settings_in_a_fresh_process({"REDIS_URL": url}) == ["False", url, url]


def test_beat_schedule_sweeps_every_n_minutes_and_sends_the_digest_daily(settings):
    settings.REMINDER_SWEEP_MINUTES = 5
    settings.NOTIFICATION_DIGEST_HOUR = 6
    settings.WEBHOOK_CATCH_UP_MINUTES = 2
    schedule = beat_schedule()
    assert schedule["reminder-sweep"]["task"] == SWEEP_TASK == send_due_reminders.name
    assert schedule["reminder-sweep"]["schedule"] == timedelta(minutes=5)
    assert schedule["reminder-sweep"]["options"]["expires"] == 300
    assert schedule["notification-digest"]["task"] == DIGEST_TASK == notification_tasks.send_notification_digests.name
    assert schedule["notification-digest"]["schedule"] == crontab(minute=0, hour=6)
    # The running app got the schedule when it configured itself.
    assert schedule["packet-catch-up"]["task"] == PACKET_CATCH_UP_TASK
    assert schedule["packet-catch-up"]["schedule"] == timedelta(minutes=5)
    assert schedule["refusal-tallies"]["task"] == REFUSAL_TALLY_TASK == record_refusal_tallies.name
    assert schedule["webhook-catch-up"]["task"] == WEBHOOK_CATCH_UP_TASK == deliver_due_webhooks.name
    assert schedule["webhook-catch-up"]["schedule"] == timedelta(minutes=2)
    assert schedule["webhook-catch-up"]["options"]["expires"] == 120
    assert set(celery_app.conf.beat_schedule) == {
        "reminder-sweep",
        "notification-digest",
        "packet-catch-up",
        "refusal-tallies",
        "webhook-catch-up",
    }
    assert {name for name in celery_app.tasks if not name.startswith("celery.")} == {
        SWEEP_TASK,
        DIGEST_TASK,
        PACKET_CATCH_UP_TASK,
        REFUSAL_TALLY_TASK,
        WEBHOOK_CATCH_UP_TASK,
        "notifications.tasks.send_batched_emails",
        "notifications.tasks.send_notification_emails",
        "signoff.tasks.render_packet",
        "signoff.tasks.send_reminder_share",
        "webhooks.tasks.deliver_webhook",
    }


def test_late_acknowledgement_outlasts_a_sweep_interval():
    conf = celery_app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_prefetch_multiplier == 1
    # A late-acked task is redelivered after the visibility timeout: it must be
    # longer than the sweep interval, or a long sweep would be handed to a
    # second worker while the first still runs it.
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility == 3600
    assert visibility > django_settings.REMINDER_SWEEP_MINUTES * 60
    # A user action waits at most two seconds for a broker that is down.
    assert conf.broker_transport_options["socket_connect_timeout"] == 2
    assert conf.task_ignore_result is True


@on_real_services
@pytest.mark.usefixtures("worker")
def test_a_task_enqueued_on_commit_is_run_by_the_worker(ravi):
    assert not celery_app.conf.task_always_eager
    with transaction.atomic():
        notify(users=[ravi], kind=Kind.ASSIGNED, title="Review assigned to you", url="/signoff/reviews/1/")
        time.sleep(0.5)
        # Not before the commit: the worker could not even see the row yet.
        assert mail.outbox == []
    # The worker sends the mail, then marks the row in the same transaction: wait for its commit too.
    wait_for(lambda: Notification.objects.filter(user=ravi, emailed_at__isnull=False).exists())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ravi@bank.example"]


@on_real_services
@pytest.mark.usefixtures("worker")
def test_the_beat_sweep_task_runs_on_the_worker(ravi, rita):
    today = timezone.localdate()
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=today - timedelta(days=7))
    send_due_reminders.delay()
    wait_for(lambda: Reminder.objects.filter(item_id=review.pk, sent_at__isnull=False).count() == 2)
    wait_for(lambda: len(mail.outbox) == 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["ravi@bank.example", "rita@bank.example"]


@on_real_services
def test_user_actions_survive_a_broker_outage_and_the_next_sweep_catches_up(broker, caplog, ravi, rita):
    celery_app.conf.broker_url = CLOSED_PORT_BROKER
    reset_broker_connections()

    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        for n in range(3):
            started = time.monotonic()
            with transaction.atomic():
                notify(users=[ravi], kind=Kind.ASSIGNED, title=f"Action {n} while the broker is down")
            assert time.monotonic() - started < 5, "a user action must not hang on the broker"
    assert Notification.objects.filter(user=ravi, emailed_at__isnull=True).count() == 3
    warnings = [r for r in caplog.records if r.name == "core.tasks" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "broker is unreachable" in warnings[0].getMessage()
    assert mail.outbox == []

    # Meanwhile a review fell due. Then Redis is back and the beat's next sweep runs.
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=reminder_today())
    celery_app.conf.broker_url = broker
    reset_broker_connections()
    with (
        records_of("core.tasks", logging.INFO) as logged,
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):
        assert core_tasks.enqueue(send_due_reminders) is True
        wait_for(lambda: len(mail.outbox) == 4)
    assert [r.getMessage() for r in logged] == [
        "The broker is reachable again (signoff.tasks.send_due_reminders enqueued)."
    ]
    assert core_tasks._broker_down is False
    assert sorted(m.subject for m in mail.outbox) == [
        *(f"[Stagegate] Action {n} while the broker is down" for n in range(3)),
        f"[Stagegate] Reminder: Risk review of “{review.request.use_case.title}” is due today",
    ]
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
