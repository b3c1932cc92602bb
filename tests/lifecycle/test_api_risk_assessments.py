import pytest

from lifecycle.models import RiskAssessment, Tier
from tests.lifecycle.api_helpers import bearer_client
from tests.lifecycle.helpers import answers

pytestmark = pytest.mark.django_db


def _url(use_case):
    return f"/api/v1/use-cases/{use_case.slug}/risk-assessments/"


def test_create_and_list(erin, use_case):
    client = bearer_client(erin)
    payload = {"answers": answers(Q10=["credit_scoring"], Q11=True), "is_final": True, "summary": "Credit model"}
    payload["answers"]["Q10"] = {"areas": ["credit_scoring"], "rationale": "Credit scoring"}
    response = client.post(_url(use_case), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tier"] == Tier.HIGH and body["annex_iii_areas"] == ["credit_scoring"] and body["is_final"] is True
    use_case.refresh_from_db()
    assert use_case.risk_tier == Tier.HIGH
    assert [a["id"] for a in client.get(_url(use_case)).json()] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"answers": {"Q01": {"answer": True}}, "is_final": True},
            {"answers": ["Q01: Give a rationale for this answer.", "Q02: Answer this question."]},
        ),
        ({"answers": {"Q01": "maybe"}, "is_final": True}, {"answers": ["Q01: Answer yes (true) or no (false)."]}),
        ({"answers": [], "is_final": True}, {"answers": ['Expected a dictionary of items but got type "list".']}),
        ({"answers": {}, "is_final": "sometimes"}, {"is_final": ["Must be a valid boolean."]}),
        ({"is_final": True}, {"answers": ["This field is required."]}),
    ],
)
def test_bad_answers_are_400(erin, use_case, payload, errors):
    response = bearer_client(erin).post(_url(use_case), payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("eric", 403), ("audrey", 403), ("nobody", 404)])
def test_others_cannot_create(request, use_case, who, status):
    response = bearer_client(request.getfixturevalue(who)).post(
        _url(use_case), {"answers": answers(), "is_final": True}, format="json"
    )
    assert response.status_code == status
    assert not RiskAssessment.objects.exists()
