"""The incident register's pages: record, see the clock, mark reported, suspend, close; refusals change nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Incident, Suspension
from governance.services import incident_record

pytestmark = pytest.mark.django_db


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def serious(use_case, erin):
    aware = timezone.now() - datetime.timedelta(days=1)
    return incident_record(
        use_case=use_case,
        actor=erin,
        severity=Incident.Severity.SERIOUS,
        clock=Incident.Clock.STANDARD,
        title="Refusals on a stale score",
        description="Applicants were refused on last month's score.",
        detected_at=aware,
        aware_at=aware,
        blocking=True,
    )


def test_an_owner_records_a_serious_incident_and_sees_its_clock(client, use_case, erin):
    client.force_login(erin)
    url = reverse("governance:incident-create", args=[use_case.slug])
    assert client.get(url).status_code == 200
    aware = timezone.now() - datetime.timedelta(hours=3)
    response = client.post(
        url,
        {
            "title": "Wrong answer about fees",
            "severity": "serious",
            "clock": "standard",
            "description": "The assistant quoted last year's fees.",
            "people_affected": "About 40 customers",
            "detected_at": local(aware),
            "aware_at": local(aware),
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    due = timezone.localdate(incident.aware_at) + datetime.timedelta(days=15)
    assert incident.report_due_on == due
    html = client.get(incident.get_absolute_url()).content.decode()
    assert f"Art. 73 report due {due:%Y-%m-%d}" in html
    assert "Mark reported to the authority" in html
    # The owner may not close or suspend: those buttons are the second line's leads'.
    assert "Close with this root cause" not in html and "Suspend the use case" not in html
    page = client.get(use_case.get_absolute_url()).content.decode()
    assert '<h2 id="incidents">Incidents</h2>' in page and "Wrong answer about fees" in page


def test_a_serious_incident_without_its_clock_is_a_400_naming_the_field(client, use_case, erin):
    client.force_login(erin)
    now = local(timezone.now() - datetime.timedelta(hours=1))
    response = client.post(
        reverse("governance:incident-create", args=[use_case.slug]),
        {"title": "x", "severity": "serious", "description": "y", "detected_at": now, "aware_at": now},
    )
    assert response.status_code == 400
    assert "A serious incident starts an Art. 73 clock" in response.content.decode()
    assert not Incident.objects.exists()


def test_report_suspend_and_close_from_the_page(client, serious, cora, carl):
    client.force_login(cora)
    response = client.post(reverse("governance:incident-report", args=[serious.pk]), {"reported_at": ""})
    assert response.status_code == 302
    client.force_login(carl)
    response = client.post(reverse("governance:incident-suspend", args=[serious.pk]), {"reason": "Stop refusals"})
    assert response.status_code == 302
    assert Suspension.objects.get().reason == "Stop refusals"
    response = client.post(
        reverse("governance:incident-close", args=[serious.pk]),
        {"root_cause": "A stale feature cache", "corrective_actions": "Cache expiry and a freshness check"},
    )
    assert response.status_code == 302
    serious.refresh_from_db()
    assert (serious.state, serious.reported_by.username, serious.closed_by) == ("closed", "cora", carl)


def test_an_engineer_who_does_not_own_it_is_refused_and_nothing_changes(client, serious, eric):
    client.force_login(eric)
    before = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count()
    response = client.post(reverse("governance:incident-report", args=[serious.pk]), {"reported_at": ""})
    assert response.status_code == 403
    serious.refresh_from_db()
    assert serious.reported_at is None
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == before + 1


def test_the_register_lists_open_incidents_soonest_due_first(client, serious, use_case, erin, audrey):
    aware = timezone.now() - datetime.timedelta(hours=1)
    incident_record(
        use_case=use_case,
        actor=erin,
        severity=Incident.Severity.SERIOUS,
        clock=Incident.Clock.WIDESPREAD,
        title="Outage of the payments screen",
        description="x",
        detected_at=aware,
        aware_at=aware,
    )
    client.force_login(audrey)
    html = client.get(reverse("governance:incident-list")).content.decode()
    assert html.index("Outage of the payments screen") < html.index("Refusals on a stale score")
    assert "blocks the gate" in html
