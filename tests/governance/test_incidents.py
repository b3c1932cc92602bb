"""The incident register: a serious incident starts its Art. 73 clock; blocking ones deny the run gate; closure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Incident, Suspension
from governance.services import (
    incident_close,
    incident_link_demotion,
    incident_mark_reported,
    incident_record,
    incident_suspend,
)
from lifecycle.services import use_case_demote
from notifications.models import Notification
from signoff import services
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db

AWARE = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def running(use_case, erin):
    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
    )
    use_case.refresh_from_db()
    return use_case


def record(use_case, actor, **more):
    fields = {
        "severity": Incident.Severity.MINOR,
        "title": "Summaries leaked a customer's address",
        "description": "A summary quoted the address from the ticket body.",
        "detected_at": AWARE - datetime.timedelta(hours=2),
        "aware_at": AWARE,
        "people_affected": "One customer",
    }
    fields.update(more)
    return incident_record(use_case=use_case, actor=actor, **fields)


@pytest.mark.parametrize(
    ("clock", "due"),
    [
        (Incident.Clock.STANDARD, datetime.date(2026, 11, 17)),
        (Incident.Clock.DEATH, datetime.date(2026, 11, 12)),
        (Incident.Clock.WIDESPREAD, datetime.date(2026, 11, 4)),
    ],
)
def test_a_serious_incident_starts_its_art_73_clock(running, erin, carl, lena, clock, due):
    incident = record(running, erin, severity=Incident.Severity.SERIOUS, clock=clock)
    assert (incident.report_due_on, incident.report_pending, incident.state) == (due, True, "open")
    event = AuditEvent.objects.get(verb=Verb.INCIDENT_RECORDED)
    assert (event.actor_id, event.changes["clock"], event.changes["report_due_on"]) == (erin.pk, clock, due.isoformat())
    # The reporting leads hear of it at once; the recorder is not told what she did.
    told = sorted(Notification.objects.filter(kind="incident").values_list("user__username", flat=True))
    assert told == ["carl", "lena"]


def test_a_minor_incident_has_no_clock(running, ravi, erin):
    incident = record(running, ravi)
    assert (incident.clock, incident.report_due_on, incident.report_pending) == ("", None, False)
    assert list(Notification.objects.filter(kind="incident").values_list("user__username", flat=True)) == ["erin"]


@pytest.mark.parametrize(
    ("more", "errors"),
    [
        (
            {"severity": "serious"},
            {"clock": ["A serious incident starts an Art. 73 clock: say which (15 days, 10 for a death, 2)."]},
        ),
        ({"clock": "standard"}, {"clock": ["Only a serious incident starts an Art. 73 clock."]}),
        (
            {"title": " ", "description": ""},
            {"title": ["Give the incident a title."], "description": ["Say what happened."]},
        ),
        (
            {"aware_at": AWARE - datetime.timedelta(days=1)},
            {"aware_at": ["Awareness comes with or after detection: the clock starts at awareness."]},
        ),
        (
            {"aware_at": timezone.now() + datetime.timedelta(days=1)},
            {"aware_at": ["Nobody can become aware of it in the future."]},
        ),
        (
            {
                "detected_at": datetime.datetime(223, 1, 12, tzinfo=datetime.UTC),
                "aware_at": datetime.datetime(223, 1, 12, tzinfo=datetime.UTC),
            },
            {
                "detected_at": ["Check the year: the incident cannot be detected before 2000."],
                "aware_at": ["Check the year: nobody became aware of it before 2000."],
            },
        ),
    ],
)
def test_bad_incidents_are_refused_naming_the_field(running, erin, more, errors):
    with pytest.raises(ValidationError) as caught:
        record(running, erin, **more)
    assert caught.value.message_dict == errors
    assert not Incident.objects.exists()


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_only_owners_and_the_second_line_record_incidents(request, running, who):
    with pytest.raises(PermissionDenied):
        record(running, request.getfixturevalue(who))
    assert not Incident.objects.exists()


def test_a_blocking_incident_denies_the_run_gate_until_it_is_closed(client, running, erin, rita):
    client.force_login(erin)
    incident = record(running, erin, blocking=True)
    body = client.get(f"/api/v1/use-cases/{running.slug}/gate/", {"stage": 1}).json()
    assert body["allowed"] is False
    assert body["requirements"][-1] == {
        "key": "governance.no_blocking_incident",
        "met": False,
        "detail": "A blocking incident is open since 2026-11-02: Summaries leaked a customer's address",
    }
    incident_close(incident=incident, actor=rita, root_cause="Prompt quoted input.", corrective_actions="Redaction.")
    assert client.get(f"/api/v1/use-cases/{running.slug}/gate/", {"stage": 1}).json()["allowed"] is True


def test_a_report_is_marked_once_and_closure_waits_for_it(running, erin, cora, carl):
    incident = record(running, erin, severity=Incident.Severity.SERIOUS, clock=Incident.Clock.STANDARD)
    with pytest.raises(ValidationError) as caught:
        incident_close(incident=incident, actor=carl, root_cause="x", corrective_actions="y")
    assert caught.value.messages == ["Mark the incident reported to the authority (Art. 73) before closing it."]
    reported_at = AWARE + datetime.timedelta(days=16)
    incident = incident_mark_reported(incident=incident, actor=cora, reported_at=reported_at)
    assert (incident.reported_by, incident.report_pending) == (cora, False)
    assert AuditEvent.objects.get(verb=Verb.INCIDENT_REPORTED).changes["late"] is True
    with pytest.raises(ValidationError):
        incident_mark_reported(incident=incident, actor=cora)
    incident = incident_close(incident=incident, actor=carl, root_cause="Cause", corrective_actions="Actions")
    assert (incident.state, incident.closed_by, incident.root_cause) == ("closed", carl, "Cause")


def test_only_a_second_line_lead_closes_and_both_words_are_needed(running, erin, cora, carl):
    incident = record(running, erin)
    for actor in (erin, cora):
        with pytest.raises(PermissionDenied):
            incident_close(incident=incident, actor=actor, root_cause="x", corrective_actions="y")
    with pytest.raises(ValidationError) as caught:
        incident_close(incident=incident, actor=carl, root_cause="", corrective_actions=" ")
    assert set(caught.value.message_dict) == {"root_cause", "corrective_actions"}
    assert Incident.objects.get().state == "open"
    assert not AuditEvent.objects.filter(verb=Verb.INCIDENT_CLOSED).exists()


def test_a_lead_suspends_because_of_an_incident_and_links_the_demotion(running, erin, rita):
    incident = record(running, erin)
    with pytest.raises(PermissionDenied):
        incident_suspend(incident=incident, actor=erin, reason="x")
    incident = incident_suspend(incident=incident, actor=rita, reason="Address leak under investigation")
    suspension = Suspension.objects.get()
    assert (incident.suspension, suspension.cause) == (suspension, f"incident {incident.pk}: {incident.title}")

    with pytest.raises(ValidationError) as caught:
        incident_link_demotion(incident=incident, actor=rita)
    assert caught.value.messages == [
        "The use case has not been demoted since the incident was detected: demote it first."
    ]
    use_case_demote(use_case=running, actor=erin, to_stage=0, reason="Rolled back after the leak")
    incident = incident_link_demotion(incident=incident, actor=rita)
    assert (incident.demotion.to_stage, incident.demotion.reason) == (0, "Rolled back after the leak")
    assert AuditEvent.objects.filter(verb=Verb.INCIDENT_UPDATED).count() == 2


def test_a_lead_makes_an_open_incident_block_the_gate_and_lifts_that(client, running, erin, rita, carl):
    from governance.services import incident_blocking_set

    client.force_login(erin)
    incident = record(running, erin)
    with pytest.raises(PermissionDenied):
        incident_blocking_set(incident=incident, actor=erin, blocking=True)
    incident_blocking_set(incident=incident, actor=rita, blocking=True)
    gate = f"/api/v1/use-cases/{running.slug}/gate/"
    assert client.get(gate, {"stage": 1}).json()["allowed"] is False
    incident_blocking_set(incident=incident, actor=carl, blocking=False)
    assert client.get(gate, {"stage": 1}).json()["allowed"] is True
    changes = list(
        AuditEvent.objects.filter(verb=Verb.INCIDENT_UPDATED).order_by("seq").values_list("changes", flat=True)
    )
    assert changes == [{"blocking": True}, {"blocking": False}]
