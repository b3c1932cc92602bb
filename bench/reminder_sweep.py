"""Wall time and query count of the reminder sweep over 100,000 open reviews, 10,000 of them due.

Creates a scratch database (Django's test-database machinery, named
stagegate_bench_reminders; the database in DATABASE_URL itself is not
touched), fills it with bulk_create, then runs:

1. the first sweep of the day, which inserts and sends every reminder that is due
   (in-app notifications, and one e-mail per person listing all of theirs,
   through the locmem backend, so mail costs only the rendering of both parts);
2. a second sweep the same day, which must send nothing.

For each it prints the wall time, the number of queries (CaptureQueriesContext)
and what it sent. Tasks run eagerly (no REDIS_URL), as in `manage.py send_reminders`:
the e-mail tasks run one after another in this process, where workers would
share them. With --keep the database stays for a later --reuse, which clears
the reminders and notifications and sweeps the same reviews again.

    python bench/reminder_sweep.py --database-url postgres://postgres@127.0.0.1:5432/postgres [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.getenv("DATABASE_URL", ""), help="Server to use (PostgreSQL).")
    parser.add_argument("--reviews", type=int, default=100_000, help="Open reviews in all.")
    parser.add_argument("--due", type=int, default=10_000, help="How many of them are due (reminded today).")
    parser.add_argument("--batch-size", type=int, default=500, help="Reminders per sweep transaction.")
    parser.add_argument("--markdown", action="store_true", help="Print a Markdown table row per sweep.")
    parser.add_argument("--database-name", default="stagegate_bench_reminders", help="Name of the scratch database.")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database for a later --reuse.")
    parser.add_argument("--reuse", action="store_true", help="Reuse a kept database: clear what was sent, sweep again.")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Share the sending between this many tasks on a real Celery worker with as many processes "
        "(needs REDIS_URL); the sweep's time then runs until the last e-mail is out.",
    )
    return parser.parse_args()


ARGS = parse_args()
if ARGS.database_url:
    os.environ["DATABASE_URL"] = ARGS.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if not ARGS.workers:
    os.environ.pop("REDIS_URL", None)
elif not os.getenv("REDIS_URL"):
    sys.exit("--workers needs REDIS_URL (the broker the worker listens on).")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

CHUNK = 5000
MEMBERS_PER_FUNCTION = 3  # one lead, two members: who an unassigned review reminds


def build(reviews: int, due: int) -> dict:
    """Bulk-create users, use cases, requests and reviews. Three reviews (one per function) per request."""
    from accounts.models import FunctionMembership, ReviewFunction, User
    from lifecycle.models import ModelVersion, UseCase
    from signoff.models import ReadinessRequest, Review

    today = timezone.localdate()
    functions = list(ReviewFunction.objects.filter(key__in=["risk", "compliance", "legal"]).order_by("key"))
    engineer = User.objects.create(username="bench-engineer", email="engineer@bench.example")
    members: dict[int, list[User]] = {}
    for function in functions:
        people = User.objects.bulk_create(
            User(username=f"{function.key}-{n}", email=f"{function.key}-{n}@bench.example")
            for n in range(MEMBERS_PER_FUNCTION)
        )
        FunctionMembership.objects.bulk_create(
            FunctionMembership(function=function, user=u, is_lead=(n == 0)) for n, u in enumerate(people)
        )
        members[function.pk] = people

    requests_needed = -(-reviews // len(functions))
    use_cases: list[UseCase] = []
    for start in range(0, requests_needed, CHUNK):
        use_cases += UseCase.objects.bulk_create(
            UseCase(
                slug=f"bench-{n}",
                title=f"Bench use case {n}",
                purpose="Benchmark.",
                technical_owner=engineer,
                created_by=engineer,
                stage=1,
            )
            for n in range(start, min(start + CHUNK, requests_needed))
        )
    versions = []
    for start in range(0, len(use_cases), CHUNK):
        versions += ModelVersion.objects.bulk_create(
            ModelVersion(
                use_case=u,
                label="1.0.0",
                provider="bench",
                model_identifier="m",
                config_hash="0" * 64,
                created_by=engineer,
            )
            for u in use_cases[start : start + CHUNK]
        )
    requests = []
    for start in range(0, len(use_cases), CHUNK):
        requests += ReadinessRequest.objects.bulk_create(
            ReadinessRequest(
                use_case=u,
                version=v,
                from_stage=1,
                target_stage=2,
                state="submitted",
                submitted_by=engineer,
                submitted_at=timezone.now(),
                revision=1,
            )
            for u, v in zip(use_cases[start : start + CHUNK], versions[start : start + CHUNK], strict=True)
        )

    # The due ones spread over the moments a reminder is sent: due soon (tomorrow),
    # today, and 1-6 days overdue (escalated from the third business day). Half
    # assigned, half waiting in their function's queue.
    due_offsets = [1, 0, -1, -2, -3, -4, -5, -6]
    rows = []
    for n in range(reviews):
        request = requests[n // len(functions)]
        function = functions[n % len(functions)]
        if n < due:
            due_date = today + timedelta(days=due_offsets[n % len(due_offsets)])
        else:
            due_date = today + timedelta(days=30 + n % 60)
        assignee = members[function.pk][1 + n % 2] if n % 2 == 0 else None
        rows.append(
            Review(
                request=request,
                function=function,
                revision=1,
                state="assigned" if assignee else "unassigned",
                assignee=assignee,
                due_date=due_date,
                submitter=engineer,
                technical_owner=engineer,
            )
        )
        if len(rows) == CHUNK:
            Review.objects.bulk_create(rows)
            rows = []
    if rows:
        Review.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"reviews": Review.objects.count(), "requests": len(requests)}


def sweep(label: str, batch_size: int) -> dict:
    from notifications.models import Notification
    from signoff.models import Reminder
    from signoff.reminders import reviews_sweep_due

    outbox_before = len(mail.outbox)
    notifications_before = Notification.objects.count()
    sent_before = Reminder.objects.filter(sent_at__isnull=False).count()
    escalations_before = Reminder.objects.filter(sent_at__isnull=False, kind=Reminder.Kind.ESCALATION).count()
    began = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = reviews_sweep_due(batch_size=batch_size, shares=ARGS.workers or 1)
        if ARGS.workers:
            _wait_for_the_workers()
        elapsed = time.perf_counter() - started
    if ARGS.workers:
        # The workers sent it: count what they did from the rows.
        result.sent = Reminder.objects.filter(sent_at__isnull=False).count() - sent_before
        result.escalations = (
            Reminder.objects.filter(sent_at__isnull=False, kind=Reminder.Kind.ESCALATION).count() - escalations_before
        )
        result.notifications = Notification.objects.count() - notifications_before
        result.people = Notification.objects.filter(emailed_at__gte=began).values("user").distinct().count()
    return {
        "label": label,
        "seconds": elapsed,
        "queries": len(queries),
        "due": result.due,
        "sent": result.sent,
        "escalations": result.escalations,
        "notifications": result.notifications,
        "people": result.people,
        "emails": result.people if ARGS.workers else len(mail.outbox) - outbox_before,
        "batches": "in the workers" if ARGS.workers else result.batches,
    }


def _start_workers() -> subprocess.Popen:
    """A Celery worker in its own processes on the scratch database; returns once it answers a ping."""
    from portal.celery import app

    url = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": _with_database(ARGS.database_url, url["NAME"])}
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "--app", "portal", "worker"),
            *("--concurrency", str(ARGS.workers), "--loglevel", "WARNING", "--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
    )
    app.control.purge()
    deadline = time.monotonic() + 120
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline or worker.poll() is not None:
            worker.terminate()
            sys.exit("The Celery worker did not start.")
    return worker


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _wait_for_the_workers() -> None:
    """Until every due reminder is sent and every e-mail out (the sweep itself only hands the work over)."""
    from notifications.models import Notification
    from signoff.models import Reminder

    unsent = Reminder.objects.filter(sent_at__isnull=True)
    waiting = Notification.objects.filter(batched=True, emailed_at__isnull=True)
    deadline = time.monotonic() + 600
    while unsent.exists() or waiting.exists():
        if time.monotonic() > deadline:
            sys.exit("The workers did not send every e-mail in ten minutes.")
        time.sleep(0.05)


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run it against PostgreSQL: --database-url postgres://...", file=sys.stderr)
    setup_test_environment()  # locmem outbox
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = ARGS.database_name
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=not ARGS.reuse, serialize=False, keepdb=ARGS.reuse
    )
    try:
        from notifications.models import Notification
        from signoff.models import Reminder, Review

        if ARGS.reuse and Review.objects.exists():
            Reminder.objects.all().delete()
            Notification.objects.all().delete()
            print(f"Reusing {Review.objects.count():,} open reviews; reminders and notifications cleared.")
        else:
            started = time.perf_counter()
            sizes = build(ARGS.reviews, ARGS.due)
            print(
                f"Built {sizes['reviews']:,} open reviews on {sizes['requests']:,} requests "
                f"({ARGS.due:,} due) in {time.perf_counter() - started:.1f} s on {connection.vendor}."
            )
        worker = _start_workers() if ARGS.workers else None
        try:
            runs = [
                sweep("first sweep (sends what is due)", ARGS.batch_size),
                sweep("second sweep (same day)", ARGS.batch_size),
            ]
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=60)
        baseline = Path(__file__).resolve().parent / "baseline.json"
        if baseline.exists():
            old = json.loads(baseline.read_text())["reminder_sweep"]
            print(
                f"Before: first sweep {old['seconds']} s, {old['queries']:,} queries, "
                f"{old['emails']:,} e-mails (one per reminder and person)."
            )
        for run in runs:
            if ARGS.markdown:
                print(
                    f"| {run['label']} | {run['seconds']:.1f} s | {run['queries']:,} | {run['sent']:,} "
                    f"({run['escalations']:,} escalations) | {run['notifications']:,} | {run['people']:,} "
                    f"| {run['emails']:,} | {run['batches']} |"
                )
            else:
                print(
                    f"{run['label']}: {run['seconds']:.2f} s, {run['queries']:,} queries, "
                    f"{run['due']:,} due, {run['sent']:,} sent ({run['escalations']:,} escalations), "
                    f"{run['notifications']:,} notifications, {run['people']:,} people, "
                    f"{run['emails']:,} e-mails, {run['batches']} batches"
                )
    finally:
        if ARGS.keep or ARGS.reuse:
            connection.close()
            settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = old_name
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
