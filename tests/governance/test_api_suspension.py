"""Suspension over the API: read by anyone who sees the use case, written by a second-line lead's own token."""

import pytest

from accounts.models import TokenScope
from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Suspension
from tests.governance.running import bearer, gate_answer, running_at_stage_1

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(use_case, erin):
    return running_at_stage_1(use_case, erin)


def _url(use_case, tail=""):
    return f"/api/v1/use-cases/{use_case.slug}/suspension/{tail}"


def test_suspend_read_and_lift(client, running, rita, erin):
    client.force_login(rita)
    assert client.get(_url(running)).json() == {"suspended": False, "current": None, "history": []}

    response = client.post(_url(running), {"reason": "Critical drift"}, content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["use_case"], made["active"], made["reason"], made["suspended_by"], made["lifted_at"]) == (
        running.slug,
        True,
        "Critical drift",
        "rita",
        None,
    )
    client.force_login(erin)
    state = client.get(_url(running)).json()
    assert state["suspended"] is True and state["current"]["id"] == made["id"]
    allowed, requirements = gate_answer(client, running.slug, 1)
    assert allowed is False and requirements["governance.not_suspended"]["met"] is False

    client.force_login(rita)
    response = client.post(_url(running, "lift/"), {"reason": "Fixed"}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["lifted_by"], response.json()["lift_reason"]) == (
        False,
        "rita",
        "Fixed",
    )
    client.force_login(erin)
    assert gate_answer(client, running.slug, 1)[0] is True
    assert [s["active"] for s in client.get(_url(running)).json()["history"]] == [False]


def test_the_owner_may_not_suspend_and_it_is_audited(client, running, erin):
    client.force_login(erin)
    response = client.post(_url(running), {"reason": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only a lead of a review function (risk, compliance, legal) may suspend a use case."
    }
    assert not Suspension.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == 1


def test_a_missing_reason_is_a_400_naming_it(client, running, rita):
    client.force_login(rita)
    response = client.post(_url(running), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}


def test_a_pipeline_token_cannot_suspend_even_for_a_lead(client, running, rita):
    headers = bearer(rita, TokenScope.READ, TokenScope.GATE, TokenScope.PUSH)
    response = client.post(_url(running), {"reason": "x"}, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert "review" in response.json()["detail"]
    assert not Suspension.objects.exists()
    assert client.get(_url(running), headers=bearer(rita, TokenScope.GATE)).status_code == 200


def test_a_leads_personal_token_suspends(client, running, rita):
    response = client.post(
        _url(running),
        {"reason": "Incident 9"},
        content_type="application/json",
        headers=bearer(rita, TokenScope.REVIEW),
    )
    assert response.status_code == 201
    assert Suspension.objects.get().suspended_by == rita


def test_unknown_use_case_is_404(client, rita):
    client.force_login(rita)
    assert client.post("/api/v1/use-cases/nope/suspension/", {"reason": "x"}).status_code == 404
