"""/api/v1/reviews/: list, retrieve, claim, assign, hand-over, decide."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Decision, Review, ReviewState
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reviews/"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def risk(in_review):
    return reviews_by_function(in_review)["risk"]


def test_list_filters(client, rita, risk, django_assert_max_num_queries):
    client.force_login(rita)
    with django_assert_max_num_queries(10):
        body = client.get(BASE, {"function": "risk"}).json()
    assert [r["id"] for r in body["results"]] == [risk.pk]
    assert len(client.get(BASE, {"scope": "unassigned"}).json()["results"]) == 3
    assert client.get(BASE, {"scope": "mine"}).json()["results"] == []


def test_retrieve_shows_actions(client, rita, risk):
    client.force_login(rita)
    body = client.get(f"{BASE}{risk.pk}/").json()
    assert {"claim", "assign", "decide"} <= set(body["actions"])


def test_claim_assign_hand_over(client, rita, ravi, carl, risk):
    client.force_login(ravi)
    assert post(client, f"{BASE}{risk.pk}/claim/").json()["assignee"] == "ravi"
    client.force_login(carl)
    assert post(client, f"{BASE}{risk.pk}/hand-over/", {"to": "rita"}).status_code == 403
    client.force_login(ravi)
    assert post(client, f"{BASE}{risk.pk}/hand-over/", {"to": "rita"}).json()["assignee"] == "rita"
    client.force_login(rita)
    assert post(client, f"{BASE}{risk.pk}/assign/", {"assignee": "ravi"}).json()["assignee"] == "ravi"
    bad = post(client, f"{BASE}{risk.pk}/assign/", {"assignee": "carl"})
    assert bad.status_code == 400
    assert "not a member" in str(bad.json())
    assert post(client, f"{BASE}{risk.pk}/assign/", {"assignee": "ghost"}).status_code == 400


def test_decide_with_conditions(client, rita, erin, risk):
    client.force_login(rita)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = post(
        client,
        f"{BASE}{risk.pk}/decide/",
        {
            "decision": Decision.APPROVE_WITH_CONDITIONS,
            "comment": "With a drill",
            "conditions": [{"text": "Drill", "owner": "erin", "due_date": due}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == ReviewState.DECIDED
    assert body["conditions"][0]["owner"] == "erin"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"decision": Decision.REJECT}, "comment"),
        ({"decision": Decision.APPROVE_WITH_CONDITIONS, "comment": "x"}, "conditions"),
        (
            {
                "decision": Decision.APPROVE_WITH_CONDITIONS,
                "comment": "x",
                "conditions": [{"text": "t", "owner": "erin", "due_date": "2000-01-01"}],
            },
            "conditions",
        ),
    ],
)
def test_bad_decisions_are_400_and_change_nothing(client, rita, risk, payload, field):
    client.force_login(rita)
    response = post(client, f"{BASE}{risk.pk}/decide/", payload)
    assert response.status_code == 400
    assert field in response.json()
    assert Review.objects.get(pk=risk.pk).state == ReviewState.UNASSIGNED


@pytest.mark.parametrize("who", ["erin", "ravi", "carl", "audrey"])
def test_decide_by_the_wrong_person_is_403(client, risk, who, request):
    client.force_login(request.getfixturevalue(who))
    response = post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert Review.objects.get(pk=risk.pk).decided_by is None
    # One refusal, one audit event, pointing at the review it refused.
    refusal = AuditEvent.objects.get(verb=Verb.ACCESS_REFUSED)
    assert refusal.changes["reason"] == response.json()["detail"]
    assert (refusal.object_type, refusal.object_id, refusal.request_id) == (
        "signoff.review",
        str(risk.pk),
        risk.request_id,
    )


def test_decide_twice_is_400(client, rita, risk):
    client.force_login(rita)
    assert post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE}).status_code == 200
    again = post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE})
    assert again.status_code == 400
    assert "already been decided" in str(again.json())


def test_no_role_gets_404(client, nobody, risk):
    client.force_login(nobody)
    assert client.get(f"{BASE}{risk.pk}/").status_code == 404
    assert post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE}).status_code == 404
    assert client.get(BASE).json()["results"] == []
