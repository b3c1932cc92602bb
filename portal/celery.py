"""The Celery application and its beat schedule.

Configuration comes from Django settings (CELERY_*): broker and result store
from REDIS_URL, or eager execution in the web process when it is absent.
The schedule lives here, in code, and is run by exactly one beat process.

Tasks are acknowledged late (CELERY_TASK_ACKS_LATE): a task whose worker dies
is delivered again, which is safe because every task here is idempotent (the
sweep claims rows; e-mail is marked per notification). Redis redelivers a task
not acknowledged within the visibility timeout (one hour), so that must exceed
the longest task: a sweep sending 10,000 due reminders takes under a minute
(BENCHMARKS.md). Were it exceeded, the second copy would skip the rows the
first holds locked and send nothing twice.
"""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("stagegate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

SWEEP_TASK = "signoff.tasks.send_due_reminders"
DIGEST_TASK = "notifications.tasks.send_notification_digests"
PACKET_CATCH_UP_TASK = "signoff.tasks.render_missing_packets"
REFUSAL_TALLY_TASK = "audit.tasks.record_refusal_tallies"
WEBHOOK_CATCH_UP_TASK = "webhooks.tasks.deliver_due_webhooks"


def beat_schedule() -> dict:
    from django.conf import settings

    sweep_every = timedelta(minutes=settings.REMINDER_SWEEP_MINUTES)
    return {
        "reminder-sweep": {
            "task": SWEEP_TASK,
            "schedule": sweep_every,
            # A sweep nobody ran before the next one is due is worthless: the
            # next one does the same work. Without this, a worker outage leaves
            # a pile of identical sweeps in the queue.
            "options": {"expires": sweep_every.total_seconds()},
        },
        "packet-catch-up": {
            "task": PACKET_CATCH_UP_TASK,
            "schedule": sweep_every,
            "options": {"expires": sweep_every.total_seconds()},
        },
        "refusal-tallies": {
            "task": REFUSAL_TALLY_TASK,
            "schedule": timedelta(minutes=settings.ANONYMOUS_REFUSAL_WINDOW_MINUTES),
            "options": {"expires": timedelta(minutes=settings.ANONYMOUS_REFUSAL_WINDOW_MINUTES).total_seconds()},
        },
        # Deliveries whose task was lost (broker down at commit, or a retry's countdown lost with a
        # worker) are queued again, so an outage only delays them.
        "webhook-catch-up": {
            "task": WEBHOOK_CATCH_UP_TASK,
            "schedule": timedelta(minutes=settings.WEBHOOK_CATCH_UP_MINUTES),
            "options": {"expires": timedelta(minutes=settings.WEBHOOK_CATCH_UP_MINUTES).total_seconds()},
        },
        "notification-digest": {
            "task": DIGEST_TASK,
            "schedule": crontab(minute=0, hour=settings.NOTIFICATION_DIGEST_HOUR),
            "options": {"expires": timedelta(hours=12).total_seconds()},
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender: Celery, **kwargs) -> None:
    # After configuration, because the intervals are Django settings and
    # settings are only read once Celery configures itself from them.
    sender.conf.beat_schedule = beat_schedule()
