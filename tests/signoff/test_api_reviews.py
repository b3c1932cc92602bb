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
    assert body["actions"] == ["claim", "assign", "decide"]


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
    assert bad.json() == {"assignee": ["Carl is not a member of Risk."]}
    ghost = post(client, f"{BASE}{risk.pk}/assign/", {"assignee": "ghost"})
    assert ghost.status_code == 400
    assert ghost.json() == {"assignee": ["Object with username=ghost does not exist."]}


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
    assert [(c["text"], c["owner"], c["due_date"]) for c in body["conditions"]] == [("Drill", "erin", due)]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"decision": "maybe"}, {"decision": ['"maybe" is not a valid choice.']}),
        ({"decision": Decision.REJECT}, {"comment": ["A comment is required for everything but a plain approval."]}),
        (
            {"decision": Decision.APPROVE_WITH_CONDITIONS, "comment": "x"},
            {"conditions": ["Approving with conditions needs at least one condition."]},
        ),
        (
            {
                "decision": Decision.APPROVE_WITH_CONDITIONS,
                "comment": "x",
                "conditions": [{"text": "t", "owner": "erin", "due_date": "2000-01-01"}],
            },
            {"conditions": ["Condition 1: give a due date in the future."]},
        ),
    ],
)
def test_bad_decisions_are_400_and_change_nothing(client, rita, risk, payload, errors):
    client.force_login(rita)
    response = post(client, f"{BASE}{risk.pk}/decide/", payload)
    assert response.status_code == 400
    assert response.json() == errors
    assert Review.objects.get(pk=risk.pk).state == ReviewState.UNASSIGNED


@pytest.mark.parametrize(
    ("who", "detail"),
    [
        ("erin", "Only members of Risk decide this review."),
        ("ravi", "This review is not assigned to you; only its assignee or a lead of Risk decides it."),
        ("carl", "Only members of Risk decide this review."),
        ("audrey", "Auditors read; they decide nothing."),
    ],
)
def test_decide_by_the_wrong_person_is_403(client, risk, who, detail, request):
    client.force_login(request.getfixturevalue(who))
    response = post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE})
    assert response.status_code == 403
    assert response.json() == {"detail": detail}
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
    assert again.json() == {"non_field_errors": ["This review has already been decided."]}


def test_deciding_a_review_the_evidence_overtook_is_400_and_says_why(client, rita, erin, risk):
    """A review goes stale when the request goes back on new evidence: its reviewer is told so; nothing is signed."""
    from signoff.services.approval import return_to_submitter

    return_to_submitter(risk.request, erin, reason="The evidence changed while in review.", stale_reviews=True)
    client.force_login(rita)
    response = post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This review is closed: the evidence changed after it was opened, so the request went back to the "
            "submitter and is reviewed again on its new evidence."
        ]
    }
    risk.refresh_from_db()
    assert (risk.state, risk.decision, risk.decided_by_id) == (ReviewState.STALE, "", None)


def test_no_role_gets_404(client, nobody, risk):
    client.force_login(nobody)
    assert client.get(f"{BASE}{risk.pk}/").status_code == 404
    assert post(client, f"{BASE}{risk.pk}/decide/", {"decision": Decision.APPROVE}).status_code == 404
    assert client.get(BASE).json()["results"] == []
