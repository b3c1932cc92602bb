"""The incident register over the API: record, list with filters, report, suspend, close; refusals and bad input."""

import pytest

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Incident, Suspension
from tests import factories
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db

SERIOUS = {
    "severity": "serious",
    "clock": "death",
    "title": "A patient was triaged as low priority",
    "description": "The assistant ranked a cardiac case as routine.",
    "people_affected": "One patient, who died",
    "detected_at": "2026-11-02T08:00:00Z",
    "aware_at": "2026-11-02T09:00:00Z",
    "blocking": True,
}


def url(use_case) -> str:
    return f"/api/v1/use-cases/{use_case.slug}/incidents/"


def test_record_then_report_and_close_over_the_api(use_case, erin, cora, carl):
    factories.ModelVersionFactory(use_case=use_case, label="3.0")
    response = bearer_client(erin).post(url(use_case), {**SERIOUS, "version": "3.0"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["use_case"], body["version"], body["clock"], body["report_due_on"], body["report_pending"]) == (
        use_case.slug,
        "3.0",
        "death",
        "2026-11-12",
        True,
    )
    pk = body["id"]
    listed = bearer_client(cora).get("/api/v1/incidents/", {"report_pending": "true"}).json()
    assert [i["id"] for i in listed["results"]] == [pk]

    reported = bearer_client(cora).post(f"/api/v1/incidents/{pk}/report/", {}, format="json")
    assert (reported.status_code, reported.json()["reported_by"], reported.json()["report_pending"]) == (
        200,
        "cora",
        False,
    )
    closed = bearer_client(carl).post(
        f"/api/v1/incidents/{pk}/close/",
        {"root_cause": "Triage prompt ignored chest pain", "corrective_actions": "Rule-based override"},
        format="json",
    )
    assert (closed.status_code, closed.json()["state"], closed.json()["closed_by"]) == (200, "closed", "carl")
    assert bearer_client(cora).get("/api/v1/incidents/", {"state": "open"}).json()["count"] == 0


def test_a_lead_suspends_over_the_api_and_an_owner_may_not(use_case, erin, rita):
    pk = bearer_client(erin).post(url(use_case), SERIOUS, format="json").json()["id"]
    refused = bearer_client(erin).post(f"/api/v1/incidents/{pk}/suspend/", {"reason": "x"}, format="json")
    assert refused.status_code == 403
    assert not Suspension.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED, actor=erin).count() == 1
    done = bearer_client(rita).post(f"/api/v1/incidents/{pk}/suspend/", {"reason": "Triage stopped"}, format="json")
    assert (done.status_code, done.json()["suspension"]) == (200, Suspension.objects.get().pk)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"clock": ""},
            {"clock": ["A serious incident starts an Art. 73 clock: say which (15 days, 10 for a death, 2)."]},
        ),
        ({"clock": "weekly"}, {"clock": ['"weekly" is not a valid choice.']}),
        ({"version": "9.9"}, {"version": ["This use case has no version 9.9."]}),
        (
            {"aware_at": "2026-11-01T09:00:00Z"},
            {"aware_at": ["Awareness comes with or after detection: the clock starts at awareness."]},
        ),
        ({"detected_at": "soon"}, None),
    ],
)
def test_bad_incidents_are_400s_naming_the_field(use_case, erin, changes, errors):
    response = bearer_client(erin).post(url(use_case), {**SERIOUS, **changes}, format="json")
    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    assert not Incident.objects.exists()


MINOR = (
    '{"severity": "minor", "title": "x", "description": "y", '
    '"detected_at": "2026-11-02T09:00:00Z", "aware_at": "2026-11-02T09:00:00Z"}'
)


@pytest.mark.parametrize(
    "raw",
    [
        MINOR.replace('"detected_at": "2026-11-02T09:00:00Z"', '"detected_at": "9999-12-31T23:59:59-23:59"'),
        MINOR.replace('"title": "x"', '"title": "a\\u0000b"'),
        '{"severity": ["minor"]}',
        "[]",
    ],
)
def test_no_input_makes_a_500(use_case, erin, raw):
    response = bearer_client(erin).post(url(use_case), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Incident.objects.exists()


@pytest.mark.parametrize("pk", ["0", "99999999999999999999", "abc"])
def test_a_missing_incident_is_a_404(erin, pk):
    assert bearer_client(erin).get(f"/api/v1/incidents/{pk}/").status_code == 404


def test_a_lead_sets_blocking_over_the_api(use_case, erin, rita):
    pk = bearer_client(erin).post(url(use_case), {**SERIOUS, "blocking": False}, format="json").json()["id"]
    assert (
        bearer_client(erin).post(f"/api/v1/incidents/{pk}/blocking/", {"blocking": True}, format="json").status_code
        == 403
    )
    done = bearer_client(rita).post(f"/api/v1/incidents/{pk}/blocking/", {"blocking": True}, format="json")
    assert (done.status_code, done.json()["blocking"]) == (200, True)
