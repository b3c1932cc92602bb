"""Running governance on the home pages and the insight page."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from governance.models import Finding, RequirementException
from governance.services import finding_raise, finding_remediate, finding_validate, use_case_suspend

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
    assert "Findings and suspensions on my use cases" in page
    assert "<strong>Suspended:</strong>" in page and "Complaints doubled" in page
    assert "Complaint rate above threshold" in page and "Stale fairness test" in page
    assert "Model card is waived until 11 Feb 2027, then required again." in page


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
