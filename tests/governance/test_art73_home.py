"""The lead's home shows the Art. 73 clocks still running, the soonest first; a reported one leaves it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Incident
from governance.services import incident_mark_reported, incident_record
from tests import factories

pytestmark = pytest.mark.django_db


def serious(use_case, actor, title: str, clock: str, days_ago: int) -> Incident:
    aware = timezone.now() - datetime.timedelta(days=days_ago)
    return incident_record(
        use_case=use_case,
        actor=actor,
        severity=Incident.Severity.SERIOUS,
        clock=clock,
        title=title,
        description="x",
        detected_at=aware,
        aware_at=aware,
    )


def test_a_lead_sees_the_running_clocks_soonest_first(client, use_case, erin, carl, cora):
    late = serious(use_case, erin, "Denied loans to a postcode", Incident.Clock.WIDESPREAD, days_ago=4)
    soon = serious(use_case, erin, "Wrong dosage advice", Incident.Clock.DEATH, days_ago=1)
    reported = serious(use_case, erin, "Reported already", Incident.Clock.STANDARD, days_ago=1)
    incident_mark_reported(incident=reported, actor=cora)
    incident_record(
        use_case=use_case,
        actor=erin,
        severity=Incident.Severity.MINOR,
        title="A minor one",
        description="x",
        detected_at=timezone.now(),
        aware_at=timezone.now(),
    )
    client.force_login(carl)
    response = client.get("/")
    assert [i.pk for i in response.context["art73_clocks"]] == [late.pk, soon.pk]
    html = response.content.decode()
    assert f"Art. 73 report overdue since {late.report_due_on:%Y-%m-%d}" in html
    assert f"Art. 73 report due {soon.report_due_on:%Y-%m-%d}" in html
    assert "Reported already" not in html and "A minor one" not in html


def test_an_engineer_has_no_clock_section_and_a_lead_without_clocks_is_told_so(client, erin, rita):
    client.force_login(erin)
    assert "Art. 73 clocks" not in client.get("/").content.decode()
    client.force_login(rita)
    assert "No report to the authority is due." in client.get("/").content.decode()


def test_the_clocks_cost_one_query_however_many_run(client, erin, rita):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    serious(factories.UseCaseFactory(technical_owner=erin), erin, "Incident 0", Incident.Clock.STANDARD, 1)
    client.force_login(rita)
    one = queries()
    for n in range(1, 12):
        serious(factories.UseCaseFactory(technical_owner=erin), erin, f"Incident {n}", Incident.Clock.STANDARD, 1)
    assert queries() == one
