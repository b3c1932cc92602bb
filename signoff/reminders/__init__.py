"""The reminder sweep: reminders before, on and after due dates, and escalation to the function's leads.

One code path for the beat task (`send_due_reminders`) and `manage.py send_reminders`.

Three kinds of item have a due date in business days: open reviews of requests
in review, open conditions attached to approvals, and the yearly revalidation
of high-risk use cases in stages 3 and 4. For each, relative to today (which
starts at REMINDER_DAY_STARTS_AT_HOUR, so nothing is sent at midnight):

- `REMINDER_DAYS_BEFORE_DUE` business days before the due date: one reminder (before_due, 0);
- on the due date: one (on_due, 0);
- each business day overdue: one (overdue, n), n the business days overdue — so none on a
  weekend or holiday, and after an outage only today's, not the ones missed;
- from `ESCALATE_AFTER_DAYS_OVERDUE` business days overdue: one escalation to the function's
  leads (escalation, 0), once per item: the daily overdue reminders keep going to whoever must
  act, and leads are told once rather than every day.

Sending is idempotent. Phase 1 inserts the rows due today with
bulk_create(ignore_conflicts=True): the unique key (item, kind, sequence) makes
a second sweep insert nothing. Phase 2 claims unsent rows in batches with
SELECT ... FOR UPDATE SKIP LOCKED, writes the in-app notifications, marks the
rows sent and commits; two overlapping sweeps each take different rows, and a
sweep that dies is continued by the next one. Rows that stopped being right
before they were sent (the review was decided, today's reminder superseded
yesterday's) are dropped, never sent late. Phase 3 mails each person one
e-mail listing everything of theirs (a reviewer with twelve due reviews gets
one e-mail, not twelve): the people are split into chunks, each a Celery task,
so the workers render and send in parallel; each task locks the rows it mails
and marks them in the same transaction, so overlapping sweeps and reruns send
nothing twice, and what a dead sweep left unmailed goes out with the next.

schedule.py  which reminders are due today, inserted once each (the unique key makes it idempotent)
messages.py  who hears of each item, and in what words
sweep.py     claiming due rows in batches, sending, marking; the sweep itself
"""

from signoff.reminders.schedule import reminder_milestones
from signoff.reminders.sweep import SweepResult, reminder_today, reminders_send_share, reviews_sweep_due

__all__ = ["SweepResult", "reminder_milestones", "reminder_today", "reminders_send_share", "reviews_sweep_due"]
