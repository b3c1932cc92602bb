"""Running governance as people live it, with time moved by time_machine.

- A critical metric breaches in production: a finding opens, the use case is suspended, the gate denies;
  the owner remediates, the second line validates the closure, the risk lead lifts, the gate allows.
- A serious incident's 15-day Art. 73 clock: reminded before and on its last day, daily once overdue,
  escalated to the compliance leads, silent once the report is marked made.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding, Incident, Suspension
from governance.services import (
    finding_remediate,
    finding_validate,
    incident_mark_reported,
    incident_record,
    suspension_lift,
)
from lifecycle.models import EvaluationMetric
from notifications.models import Notification
from signoff import services
from signoff.models import Reminder
from signoff.reminders import reviews_sweep_due
from tests import factories
from tests.lifecycle.api_helpers import bearer_client
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
RKind = Reminder.Kind


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.REMINDER_DAYS_BEFORE_DUE = 1
    settings.ESCALATE_AFTER_DAYS_OVERDUE = 3
    settings.HOLIDAYS = []


def at(day: date, hour: int = 9):
    return time_machine.travel(datetime.combine(day, time(hour, 15), tzinfo=LONDON), tick=False)


def test_a_critical_breach_suspends_until_remediated_validated_and_lifted(use_case, erin, rita, ravi):
    version = factories.ModelVersionFactory(use_case=use_case, label="2.1.0")
    factories.EvaluationMetricFactory(
        version=version,
        name="complaint_rate",
        value=0.01,
        threshold=0.05,
        direction=EvaluationMetric.Direction.AT_MOST,
        critical=True,
    )
    supply_evidence(use_case, 1)
    with at(date(2026, 11, 2)):
        services.readiness_request_submit(
            request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
        )
    pipeline = bearer_client(erin)
    gate = f"/api/v1/use-cases/{use_case.slug}/gate/"
    observations = f"/api/v1/use-cases/{use_case.slug}/versions/2.1.0/observations/"

    with at(date(2026, 11, 3)):
        assert pipeline.get(gate, {"stage": 1, "version": "2.1.0"}).json()["allowed"] is True
        # A healthy hour, then a bad one.
        ok = pipeline.post(observations, {"observations": [{"metric": "complaint_rate", "value": 0.02}]}, format="json")
        assert (ok.status_code, ok.json()["breached"], ok.json()["suspended"]) == (201, [], False)
        bad = pipeline.post(
            observations,
            {"observations": [{"metric": "complaint_rate", "value": 0.11, "source": "complaints-db"}]},
            format="json",
        )
        assert (bad.status_code, bad.json()["breached"], bad.json()["suspended"]) == (201, ["complaint_rate"], True)

        finding = Finding.objects.get()
        assert (finding.source, finding.severity, finding.owner, finding.due_date) == (
            "monitoring",
            "critical",
            erin,
            date(2026, 11, 10),
        )
        suspension = Suspension.objects.get()
        assert suspension.cause == "monitoring: complaint_rate"
        answer = pipeline.get(gate, {"stage": 1, "version": "2.1.0"}).json()
        assert answer["allowed"] is False
        denied = {r["key"]: r["detail"] for r in answer["requirements"] if not r["met"]}
        assert denied == {"governance.not_suspended": f"Suspended since 2026-11-03: {suspension.reason}"}

    # The owner heard of the finding and of the suspension.
    kinds = sorted(Notification.objects.filter(user=erin).exclude(kind="promoted").values_list("kind", flat=True))
    assert kinds == ["finding", "suspended"]
    verbs = list(AuditEvent.objects.filter(use_case_id=use_case.pk).order_by("seq").values_list("verb", flat=True))
    assert verbs[-4:] == [
        Verb.OBSERVATIONS_RECORDED,
        Verb.FINDING_RAISED,
        Verb.OBSERVATIONS_RECORDED,
        Verb.USE_CASE_SUSPENDED,
    ]

    with at(date(2026, 11, 5)):
        finding_remediate(finding=finding, actor=erin, notes="Complaint routing fixed; a week of clean data.")
        # Remediated is not closed: still suspended, the gate still denies.
        assert pipeline.get(gate, {"stage": 1, "version": "2.1.0"}).json()["allowed"] is False
        finding_validate(finding=Finding.objects.get(), actor=ravi, comment="Checked the week's data.")
        suspension_lift(use_case=use_case, actor=rita, reason="Finding closed by the second line.")
        assert pipeline.get(gate, {"stage": 1, "version": "2.1.0"}).json()["allowed"] is True
    assert Finding.objects.get().state == Finding.State.CLOSED


def test_an_art_73_clock_of_15_days_reminds_escalates_and_stops_once_reported(use_case, erin, carl, cora):
    aware = datetime(2026, 11, 2, 8, 40, tzinfo=LONDON)  # a Monday
    with at(date(2026, 11, 2), hour=10):
        incident = incident_record(
            use_case=use_case,
            actor=erin,
            severity=Incident.Severity.SERIOUS,
            clock=Incident.Clock.STANDARD,
            title="Refusals on a stale score",
            description="Applicants were refused on last month's score.",
            people_affected="About 300 applicants",
            detected_at=aware,
            aware_at=aware,
        )
    assert incident.report_due_on == date(2026, 11, 17)  # a Tuesday: 15 calendar days

    expected = {
        date(2026, 11, 13): set(),
        date(2026, 11, 16): {(RKind.BEFORE_DUE, 0)},
        date(2026, 11, 17): {(RKind.ON_DUE, 0)},
        date(2026, 11, 18): {(RKind.OVERDUE, 1)},
        date(2026, 11, 19): {(RKind.OVERDUE, 2)},
        date(2026, 11, 20): {(RKind.OVERDUE, 3), (RKind.ESCALATION, 0)},
    }
    seen: set = set()
    for day, wanted in expected.items():
        for hour in (7, 15):  # the beat sweeps several times a day; only the first sends
            with at(day, hour):
                reviews_sweep_due()
        now = set(Reminder.objects.filter(item_type="incident", sent_at__isnull=False).values_list("kind", "sequence"))
        assert now - seen == wanted, day
        seen = now

    owner_titles = list(
        Notification.objects.filter(user=erin, kind="reminder").order_by("id").values_list("title", flat=True)
    )
    subject = "Art. 73 report of the incident “Refusals on a stale score” on “Support ticket summaries”"
    assert owner_titles == [
        f"Reminder: {subject} is due Tue 17 Nov 2026",
        f"Reminder: {subject} is due today",
        f"Overdue: {subject} is 1 day overdue",
        f"Overdue: {subject} is 2 days overdue",
        f"Overdue: {subject} is 3 days overdue",
    ]
    [escalation] = Notification.objects.filter(kind="escalation")
    assert (escalation.user, escalation.title) == (carl, f"Escalation: {subject} is 3 days overdue")
    assert not Notification.objects.filter(user=cora, kind__in=["reminder", "escalation"]).exists()

    with at(date(2026, 11, 20), hour=16):
        incident_mark_reported(incident=incident, actor=cora)
    before = Reminder.objects.count()
    for day in (date(2026, 11, 23), date(2026, 11, 24)):
        with at(day):
            result = reviews_sweep_due()
        assert result.sent == 0
    assert Reminder.objects.count() == before
    assert AuditEvent.objects.get(verb=Verb.INCIDENT_REPORTED).changes["late"] is True
