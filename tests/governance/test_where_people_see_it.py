"""Running governance on the home pages and the insight page."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from governance.models import Finding, Incident, RequirementException
from governance.services import (
    finding_raise,
    finding_remediate,
    finding_validate,
    incident_close,
    incident_record,
    use_case_suspend,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 2, 1)


def _raise(use_case, actor, title, severity="high", due=TODAY - datetime.timedelta(days=5)):
    return finding_raise(
        use_case=use_case,
        actor=actor,
        source="monitoring",
        severity=severity,
        title=title,
        description="",
        due_date=due,
    )


@pytest.fixture
def governed(use_case, credit, ravi, rita, erin):
    with time_machine.travel(datetime.datetime(2027, 1, 20, 10, tzinfo=datetime.UTC), tick=False):
        overdue = _raise(use_case, ravi, "Complaint rate above threshold")
        remediated = _raise(
            credit, ravi, "Stale fairness test", severity="critical", due=TODAY + datetime.timedelta(days=9)
        )
        finding_remediate(finding=remediated, actor=erin, notes="Re-ran the fairness test")
        use_case_suspend(use_case=use_case, actor=rita, reason="Complaints doubled")
        RequirementException.objects.create(
            use_case=credit,
            requirement_key="evidence.model_card",
            reason="Vendor card pending",
            compensating_controls="Internal summary",
            expires_on=TODAY + datetime.timedelta(days=10),
            granted_by=rita,
        )
    return overdue, remediated


def test_the_owner_sees_her_findings_suspension_and_exceptions_ending(client, governed, erin):
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(erin)
        page = client.get("/").content.decode()
    assert "Findings, incidents and suspensions on my use cases" in page
    assert "<strong>Suspended:</strong>" in page and "Complaints doubled" in page
    assert "Complaint rate above threshold" in page and "Stale fairness test" in page
    assert "Model card is waived until 11 Feb 2027, then required again." in page


def test_the_owner_sees_open_incidents_on_her_use_cases_soonest_report_first(
    client, use_case, credit, erin, eric, rita
):
    aware = datetime.datetime(2027, 1, 28, 9, tzinfo=datetime.UTC)

    def record(on, title, actor=erin, **extra):
        return incident_record(
            use_case=on,
            actor=actor,
            title=title,
            description="x",
            detected_at=aware,
            aware_at=aware,
            **{"severity": Incident.Severity.MINOR, **extra},
        )

    with time_machine.travel(datetime.datetime(2027, 1, 28, 10, tzinfo=datetime.UTC), tick=False):
        minor = record(credit, "Slow answers at month end")
        serious = record(
            use_case, "Denied loans to a postcode", severity=Incident.Severity.SERIOUS, clock=Incident.Clock.STANDARD
        )
        closed = record(use_case, "Closed already")
        incident_close(incident=closed, actor=rita, root_cause="Bad deploy", corrective_actions="Rolled back")
        others = factories.UseCaseFactory(technical_owner=eric, business_owner=eric, created_by=eric)
        record(others, "Someone else's incident", actor=eric)
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(erin)
        response = client.get("/")
    assert [i.pk for i in response.context["my_incidents"]] == [serious.pk, minor.pk]
    page = response.content.decode()
    assert "Denied loans to a postcode" in page and "Art. 73 report due 2027-02-12" in page
    assert "Slow answers at month end" in page
    assert "Closed already" not in page and "Someone else&#x27;s incident" not in page


def test_the_lead_sees_overdue_remediation_and_what_awaits_validation(client, governed, rita):
    overdue, remediated = governed
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(rita)
        response = client.get("/")
    assert [f.pk for f in response.context["overdue_findings"]] == [overdue.pk]
    assert [f.pk for f in response.context["awaiting_validation"]] == [remediated.pk]
    page = response.content.decode()
    assert "Remediation to chase" in page and "remediated 20 Jan 2027 by its owner" in page


def test_the_auditor_reads_findings_by_severity_and_exceptions(client, governed, audrey):
    with time_machine.travel(datetime.datetime(2027, 2, 1, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(audrey)
        response = client.get("/")
    assert response.context["findings_by_severity"] == [("Critical", 1), ("High", 1), ("Medium", 0), ("Low", 0)]
    page = response.content.decode()
    assert "Running governance" in page
    assert "Model card waived until 11 Feb 2027" in page
    assert "my-governance" not in page  # an auditor owns nothing


def test_insight_counts_unclosed_findings_and_time_to_closure(client, governed, carl, erin):
    _, remediated = governed
    Finding.objects.filter(pk=remediated.pk).update(raised_at=timezone.now() - datetime.timedelta(days=4))
    finding_validate(finding=remediated, actor=carl)
    client.force_login(erin)
    rows = {row.severity: row for row in client.get("/insight/").context["findings_by_severity"]}
    assert (rows["high"].unclosed, rows["critical"].unclosed, rows["critical"].to_closure.count) == (1, 0, 1)
    assert round(rows["critical"].to_closure.median_days) == 4
    assert rows["high"].to_closure.median_days is None
