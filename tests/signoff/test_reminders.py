"""The reminder sweep: the right reminder at the right business-day moment, to the right people, once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb
from audit.verify import audit_verify
from lifecycle.models import Stage, Tier
from notifications.models import Notification
from signoff.models import Reminder, Review, ReviewCondition
from signoff.reminders import reminder_milestones, reviews_sweep_due, sweep
from tests import factories
from tests.signoff.helpers import put_at_stage

LONDON = ZoneInfo("Europe/London")
RKind = Reminder.Kind


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.REMINDER_DAYS_BEFORE_DUE = 1
    settings.ESCALATE_AFTER_DAYS_OVERDUE = 3
    settings.HOLIDAYS = [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)]
    settings.SITE_URL = "https://stagegate.bank.example"


def sent_keys() -> set[tuple[str, str, int, int]]:
    return set(Reminder.objects.filter(sent_at__isnull=False).values_list("item_type", "item_id", "kind", "sequence"))


def mails_to(user: User) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def test_milestones_before_on_and_after_the_due_date():
    due = date(2026, 12, 29)  # Tuesday after the Christmas holidays
    assert reminder_milestones(due=due, today=date(2026, 12, 23)) == []
    assert reminder_milestones(due=due, today=date(2026, 12, 24)) == [(RKind.BEFORE_DUE, 0)]
    assert reminder_milestones(due=due, today=date(2026, 12, 27)) == [(RKind.BEFORE_DUE, 0)]
    assert reminder_milestones(due=due, today=due) == [(RKind.ON_DUE, 0)]
    assert reminder_milestones(due=due, today=date(2026, 12, 30)) == [(RKind.OVERDUE, 1)]
    assert reminder_milestones(due=due, today=date(2027, 1, 3)) == [(RKind.OVERDUE, 2)]
    assert reminder_milestones(due=due, today=date(2027, 1, 4)) == [(RKind.OVERDUE, 3), (RKind.ESCALATION, 0)]


def test_no_reminder_before_the_due_date_when_days_before_is_zero(settings):
    settings.REMINDER_DAYS_BEFORE_DUE = 0
    assert reminder_milestones(due=date(2026, 12, 1), today=date(2026, 11, 30)) == []


def test_assigned_review_reminded_at_business_day_moments_across_a_weekend_and_holidays(ravi, rita):
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 29))
    expected = {
        date(2026, 12, 23): set(),
        date(2026, 12, 24): {(RKind.BEFORE_DUE, 0)},  # one business day before: 25 and 28 are holidays
        date(2026, 12, 25): set(),
        date(2026, 12, 26): set(),
        date(2026, 12, 27): set(),
        date(2026, 12, 28): set(),
        date(2026, 12, 29): {(RKind.ON_DUE, 0)},
        date(2026, 12, 30): {(RKind.OVERDUE, 1)},
        date(2026, 12, 31): {(RKind.OVERDUE, 2)},
        date(2027, 1, 1): set(),  # holiday
        date(2027, 1, 2): set(),
        date(2027, 1, 3): set(),
        date(2027, 1, 4): {(RKind.OVERDUE, 3), (RKind.ESCALATION, 0)},
        date(2027, 1, 5): {(RKind.OVERDUE, 4)},  # escalated once, reminded daily
    }
    seen: set = set()
    for day, wanted in expected.items():
        # Several sweeps a day, as the beat runs them: only the first one sends.
        for hour in (7, 12, 18):
            with time_machine.travel(datetime.combine(day, time(hour, 15), tzinfo=LONDON), tick=False):
                reviews_sweep_due()
        now = sent_keys()
        assert {(kind, seq) for (_t, _i, kind, seq) in now - seen} == wanted, day
        seen = now

    assert {i for (_t, i, _k, _s) in seen} == {review.pk}
    assert len(mails_to(ravi)) == 6  # before, on, overdue 1-4
    assert [m.subject for m in mails_to(rita)] == [
        f"[Stagegate] Escalation: Risk review of “{review.request.use_case.title}” is 3 business days overdue"
    ]
    assert Notification.objects.filter(user=ravi, kind="reminder").count() == 6
    assert Notification.objects.filter(user=rita, kind="escalation").count() == 1


def test_reminder_email_has_text_and_html_with_an_absolute_link(ravi):
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    reviews_sweep_due(today=date(2026, 12, 1))
    [message] = mail.outbox
    link = f"https://stagegate.bank.example/signoff/reviews/{review.pk}/"
    assert message.to == ["ravi@bank.example"]
    assert "is due today" in message.subject
    assert link in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "https://stagegate.bank.example/notifications/settings/" in message.body


def test_unassigned_review_reminds_the_function_not_the_conflicted(rita, ravi):
    rosa = factories.reviewer("rosa", "risk")
    # rosa submitted the request: she may not decide it, so she is not asked to pick it up.
    request = factories.ReadinessRequestFactory(submitted_by=rosa)
    factories.ReviewFactory(request=request, function="risk", due_date=date(2026, 12, 1))
    factories.reviewer("cora", "compliance")

    reviews_sweep_due(today=date(2026, 12, 1))

    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["ravi", "rita"]
    assert "unassigned" in Notification.objects.get(user=ravi).body


def test_escalation_threshold_comes_from_settings(settings, ravi, rita):
    settings.ESCALATE_AFTER_DAYS_OVERDUE = 1
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 30))
    result = reviews_sweep_due(today=date(2026, 12, 1))
    assert result.escalations == 1
    assert Notification.objects.filter(user=rita, kind="escalation").count() == 1


def test_a_second_sweep_the_same_day_sends_nothing(ravi, rita):
    for due in (date(2026, 12, 2), date(2026, 12, 1), date(2026, 11, 26)):
        factories.ReviewFactory(function="risk", assignee=ravi, due_date=due)
    first = reviews_sweep_due(today=date(2026, 12, 1))
    outbox = len(mail.outbox)
    second = reviews_sweep_due(today=date(2026, 12, 1))
    assert (first.sent, first.escalations, first.people) == (4, 1, 2)
    assert (second.sent, second.notifications, second.people, second.emailed) == (0, 0, 0, 0)
    # ravi's three reminders come in one e-mail, rita's escalation in another.
    assert len(mail.outbox) == outbox == 2
    assert Reminder.objects.count() == 4


def test_a_reviewer_with_twelve_due_reviews_gets_one_email_listing_all_twelve(ravi, rita):
    reviews = [factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1)) for _ in range(12)]
    other = factories.ReviewFactory(function="risk", assignee=rita, due_date=date(2026, 12, 2))

    result = reviews_sweep_due(today=date(2026, 12, 1), batch_size=5)

    assert (result.sent, result.batches, result.notifications, result.people) == (13, 3, 13, 2)
    [message] = mails_to(ravi)
    assert message.subject == "[Stagegate] 12 things that need you, due or overdue"
    [(html, _)] = message.alternatives
    for review in reviews:
        link = f"https://stagegate.bank.example/signoff/reviews/{review.pk}/"
        title = f"Reminder: Risk review of “{review.request.use_case.title}” is due today"
        assert message.body.count(link) == 1 and message.body.count(title) == 1
        assert html.count(f'href="{link}"') == 1
    assert "12 things in Stagegate need you" in message.body
    # One thing alone is named in the subject.
    [alone] = mails_to(rita)
    assert (
        alone.subject == f"[Stagegate] Reminder: Risk review of “{other.request.use_case.title}” is due Wed 02 Dec 2026"
    )
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_sweep_shared_between_tasks_sends_everything_once_and_mails_each_person_once(ravi, rita):
    reviews = [factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1)) for _ in range(7)]
    factories.ReviewFactory(function="risk", assignee=rita, due_date=date(2026, 12, 2))

    # No broker here: the three shares run one after another; the first claims everything, and mails it
    # when nothing is left unsent; the other two find nothing to send and nobody waiting.
    result = reviews_sweep_due(today=date(2026, 12, 1), batch_size=3, shares=3)

    assert (result.due, result.shares, result.sent) == (8, 3, 0)
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    [message] = mails_to(ravi)
    assert message.subject == "[Stagegate] 7 things that need you, due or overdue"
    for review in reviews:
        assert message.body.count(f"https://stagegate.bank.example/signoff/reviews/{review.pk}/") == 1
    assert len(mails_to(rita)) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_sweep_refuses_fewer_than_one_share():
    with pytest.raises(ValueError, match="shares must be at least 1"):
        reviews_sweep_due(today=date(2026, 12, 1), shares=0)


def test_the_listing_e_mail_escapes_titles_in_its_html_and_shortens_long_notes(ravi, rita):
    use_case = factories.UseCaseFactory(title="Scoring <script>alert(1)</script> & co")
    request = factories.ReadinessRequestFactory(use_case=use_case)
    factories.ReviewFactory(request=request, function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))

    reviews_sweep_due(today=date(2026, 12, 1))

    [message] = mails_to(ravi)
    [(html, _)] = message.alternatives
    assert "<script>" not in html
    assert "Scoring &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "Scoring <script>alert(1)</script> & co" in message.body
    assert html.count("<li>") == 2 and html.count("<small>Your review is due today.</small>") == 2


def test_closed_reviews_and_requests_not_in_review_are_not_reminded(ravi, rita):
    day = date(2026, 12, 1)
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=day, request__state="changes_requested")
    factories.ReviewFactory(function="risk", state="cancelled", due_date=day)
    result = reviews_sweep_due(today=day)
    assert (result.due, result.sent) == (0, 0)
    assert not Notification.objects.exists()


def test_a_leftover_row_is_dropped_when_the_review_was_decided_or_a_newer_reminder_replaced_it(ravi, rita):
    day = date(2026, 12, 3)
    open_review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    decided = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    # Rows a crashed sweep inserted yesterday and never sent.
    for review in (open_review, decided):
        Reminder.objects.create(
            item_type="review", item_id=review.pk, kind=RKind.OVERDUE, sequence=1, due_date=date(2026, 12, 1)
        )
    type(decided).objects.filter(pk=decided.pk).update(state="cancelled")

    result = reviews_sweep_due(today=day)

    assert sent_keys() == {("review", open_review.pk, RKind.OVERDUE, 2)}
    assert result.dropped == 2
    assert not Reminder.objects.filter(sequence=1).exists()
    assert [n.title for n in Notification.objects.all()] == [
        f"Overdue: Risk review of “{open_review.request.use_case.title}” is 2 business days overdue"
    ]


def test_open_condition_reminds_its_owner_and_escalates_to_the_function_leads(erin, carl, cora):
    condition = factories.ReviewConditionFactory(owner=erin, due_date=date(2026, 11, 25), review__function="compliance")
    factories.ReviewConditionFactory(owner=erin, due_date=date(2026, 11, 25), status=ReviewCondition.Status.MET)

    result = reviews_sweep_due(today=date(2026, 11, 30))  # Wed 25 → Mon 30: 3 business days overdue

    assert sent_keys() == {
        ("condition", condition.pk, RKind.OVERDUE, 3),
        ("condition", condition.pk, RKind.ESCALATION, 0),
    }
    assert result.escalations == 1
    assert Notification.objects.get(user=erin).kind == "reminder"
    assert Notification.objects.get(user=carl).kind == "escalation"
    assert not Notification.objects.filter(user=cora).exists()


def _high_risk_at(stage: int, owner: User, due: date, **extra):
    use_case = factories.UseCaseFactory(technical_owner=owner, risk_tier=Tier.HIGH, **extra)
    use_case = put_at_stage(use_case, stage)
    type(use_case).objects.filter(pk=use_case.pk).update(revalidation_due=due)
    return use_case


def test_periodic_review_of_use_cases_in_stages_3_and_4_only(erin, rita):
    due = date(2026, 12, 1)
    guarded = _high_risk_at(Stage.GUARDED, erin, due)
    scale = _high_risk_at(Stage.SCALE, erin, due)
    _high_risk_at(Stage.CONTROLLED, erin, due)
    # Without a review date (never approved in production since reviews followed materiality) nothing is due.
    undated = _high_risk_at(Stage.GUARDED, erin, due)
    type(undated).objects.filter(pk=undated.pk).update(risk_tier=Tier.MINIMAL, revalidation_due=None)

    reviews_sweep_due(today=due)

    assert sent_keys() == {("revalidation", guarded.pk, RKind.ON_DUE, 0), ("revalidation", scale.pk, RKind.ON_DUE, 0)}
    assert Notification.objects.filter(user=erin).count() == 2


def test_revalidation_escalates_to_the_risk_leads(erin, rita, ravi, carl):
    bob = factories.UserFactory(username="bob")
    use_case = _high_risk_at(Stage.GUARDED, erin, date(2026, 11, 25), business_owner=bob)
    reviews_sweep_due(today=date(2026, 11, 30))
    assert set(Notification.objects.filter(kind="reminder").values_list("user__username", flat=True)) == {"erin", "bob"}
    assert list(Notification.objects.filter(kind="escalation").values_list("user__username", flat=True)) == ["rita"]
    assert ("revalidation", use_case.pk, RKind.ESCALATION, 0) in sent_keys()


def test_next_years_revalidation_is_reminded_again(erin, rita):
    use_case = _high_risk_at(Stage.GUARDED, erin, date(2026, 12, 1))
    reviews_sweep_due(today=date(2026, 11, 30))
    reviews_sweep_due(today=date(2026, 12, 1))
    # Revalidated: the next one is due in a year, under the same key as this year's.
    type(use_case).objects.filter(pk=use_case.pk).update(revalidation_due=date(2027, 12, 1))

    reviews_sweep_due(today=date(2027, 11, 30))
    reviews_sweep_due(today=date(2027, 12, 1))

    assert Notification.objects.filter(user=erin).count() == 4
    assert set(Reminder.objects.values_list("due_date", "kind")) == {
        (date(2027, 12, 1), RKind.BEFORE_DUE),
        (date(2027, 12, 1), RKind.ON_DUE),
    }


def test_digest_readers_get_the_reminder_in_the_portal_and_no_immediate_mail(ravi):
    User.objects.filter(pk=ravi.pk).update(email_mode=User.EmailMode.DIGEST)
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    reviews_sweep_due(today=date(2026, 12, 1))
    assert Notification.objects.filter(user=ravi, emailed_at__isnull=True).count() == 1
    assert mail.outbox == []


def test_one_audit_event_per_batch_and_the_chain_still_verifies(ravi, rita):
    for _ in range(7):
        factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 20))  # escalates
    before = AuditEvent.objects.count()

    result = reviews_sweep_due(today=date(2026, 12, 1), batch_size=3)

    assert result.batches == 3  # 9 reminders in batches of 3
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [e.verb for e in events].count(Verb.REMINDER_SENT) == 3
    assert [e.verb for e in events].count(Verb.ESCALATION_SENT) == 1
    assert sum(e.changes["count"] for e in events) == 9
    assert audit_verify() is None


def _sweep_queries(n: int, today: date, batch_size: int) -> int:
    # Close the previous round's items so each round sends only its own.
    Review.objects.filter(state__in=["unassigned", "assigned"]).update(state="cancelled")
    reviewer = factories.reviewer(f"rev{n}", "risk")
    ReviewCondition.objects.update(status=ReviewCondition.Status.WAIVED, closed_at=timezone.now(), closed_by=reviewer)
    for _ in range(n):
        factories.ReviewFactory(function="risk", assignee=reviewer, due_date=today)
        factories.ReviewConditionFactory(due_date=today)
    with CaptureQueriesContext(connection) as queries:
        result = reviews_sweep_due(today=today, batch_size=batch_size)
    assert result.sent == 2 * n
    return len(queries)


def test_query_count_grows_with_batches_not_rows(rita):
    few = _sweep_queries(3, date(2026, 12, 1), batch_size=500)
    many = _sweep_queries(40, date(2026, 12, 2), batch_size=500)
    in_batches = _sweep_queries(40, date(2026, 12, 3), batch_size=20)
    # As many queries for 6 reminders as for 80 in one batch, but for the e-mails: one task (four queries)
    # per EMAIL_PEOPLE_PER_TASK people told, and each condition has its own owner, so 4 people take one
    # task and 41 take two. 80 in four batches of 20 cost a fixed number more per batch (as a batch holds one
    # kind of item or both), never per reminder. Each kind of item registered (governance's findings,
    # exceptions and incident reports too) costs one query per sweep to find what is due.
    assert (few, many, in_batches) == (34, 38, 73)


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        reviews_sweep_due(today=date(2026, 12, 1), batch_size=0)


def test_reminders_before_due_use_business_days_from_a_friday(ravi):
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 11, 30))  # Monday
    reviews_sweep_due(today=date(2026, 11, 26))  # Thursday: two business days ahead, nothing yet
    assert sent_keys() == set()
    reviews_sweep_due(today=date(2026, 11, 27))  # Friday: one business day before Monday
    assert sent_keys() == {("review", review.pk, RKind.BEFORE_DUE, 0)}
    assert mail.outbox[0].subject == (
        f"[Stagegate] Reminder: Risk review of “{review.request.use_case.title}” is due Mon 30 Nov 2026"
    )
    reviews_sweep_due(today=date(2026, 11, 28))
    reviews_sweep_due(today=date(2026, 11, 28) + timedelta(days=1))
    assert len(mail.outbox) == 1


def test_a_new_days_reminders_wait_for_the_start_of_the_working_day(settings, ravi):
    settings.REMINDER_DAY_STARTS_AT_HOUR = 7
    review = factories.ReviewFactory(function="risk", assignee=ravi, due_date=date(2026, 12, 1))
    with time_machine.travel(datetime(2026, 12, 1, 0, 15, tzinfo=LONDON), tick=False):
        assert reviews_sweep_due().today == date(2026, 11, 30)
    assert sent_keys() == {("review", review.pk, RKind.BEFORE_DUE, 0)}
    with time_machine.travel(datetime(2026, 12, 1, 6, 59, tzinfo=LONDON), tick=False):
        reviews_sweep_due()
    assert len(mail.outbox) == 1
    with time_machine.travel(datetime(2026, 12, 1, 7, 0, tzinfo=LONDON), tick=False):
        assert reviews_sweep_due().today == date(2026, 12, 1)
    assert sent_keys() == {("review", review.pk, RKind.BEFORE_DUE, 0), ("review", review.pk, RKind.ON_DUE, 0)}


def test_email_tasks_take_people_up_to_a_count_or_a_volume_and_never_split_a_person(monkeypatch):
    monkeypatch.setattr(sweep, "EMAIL_PEOPLE_PER_TASK", 3)
    monkeypatch.setattr(sweep, "EMAIL_ITEMS_PER_TASK", 10)
    people = [(1, 2), (2, 2), (3, 2), (4, 2), (5, 9), (6, 30), (7, 1)]
    assert sweep._email_chunks(people) == [[1, 2, 3], [4], [5], [6], [7]]
    assert sweep._email_chunks([]) == []
