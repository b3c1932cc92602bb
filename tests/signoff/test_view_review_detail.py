"""The review page and its decision form (htmx and full-page)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from signoff import services
from signoff.models import Decision, Review, ReviewState
from tests.signoff.helpers import high_risk_use_case, reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(in_review):
    return reviews_by_function(in_review)["risk"]


def test_lead_sees_the_decision_form(client, rita, risk):
    client.force_login(rita)
    response = client.get(risk.get_absolute_url())
    assert response.status_code == 200
    assert response.context["actions"] == ["claim", "assign", "decide"]
    assert 'name="decision"' in response.content.decode()


def test_full_page_decision(client, rita, risk):
    client.force_login(rita)
    response = client.post(risk.get_absolute_url(), {"decision": Decision.APPROVE})
    assert response.status_code == 302
    assert response["Location"] == risk.request.get_absolute_url()
    assert Review.objects.get(pk=risk.pk).decision == Decision.APPROVE


def test_htmx_decision_redirects_the_client(client, rita, risk):
    client.force_login(rita)
    response = client.post(risk.get_absolute_url(), {"decision": Decision.APPROVE}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == risk.request.get_absolute_url()


def test_missing_comment_is_shown_next_to_the_field(client, rita, risk):
    client.force_login(rita)
    response = client.post(risk.get_absolute_url(), {"decision": Decision.REJECT}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith('<div id="decision">')
    assert "comment is required" in body
    assert Review.objects.get(pk=risk.pk).state == ReviewState.UNASSIGNED


def test_unknown_decision_is_400(client, rita, risk):
    client.force_login(rita)
    response = client.post(risk.get_absolute_url(), {"decision": "maybe"})
    assert response.status_code == 400
    assert Review.objects.get(pk=risk.pk).state == ReviewState.UNASSIGNED


def test_conditions_from_the_form(client, rita, erin, risk):
    client.force_login(rita)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        risk.get_absolute_url(),
        {
            "decision": Decision.APPROVE_WITH_CONDITIONS,
            "comment": "With a drill",
            "condition_1_text": "Run a rollback drill",
            "condition_1_owner": erin.pk,
            "condition_1_due_date": due,
        },
    )
    assert response.status_code == 302
    condition = Review.objects.get(pk=risk.pk).conditions.get()
    assert (condition.text, condition.owner, condition.due_date.isoformat()) == ("Run a rollback drill", erin, due)


def test_past_condition_date_is_refused(client, rita, erin, risk):
    client.force_login(rita)
    response = client.post(
        risk.get_absolute_url(),
        {
            "decision": Decision.APPROVE_WITH_CONDITIONS,
            "comment": "With a drill",
            "condition_1_text": "Run a drill",
            "condition_1_owner": erin.pk,
            "condition_1_due_date": "2001-01-01",
        },
    )
    assert response.status_code == 400
    assert "future" in response.content.decode()


@pytest.mark.parametrize("who", ["ravi", "carl", "audrey", "erin"])
def test_it_requires_the_assignee_or_a_lead(client, risk, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(risk.get_absolute_url(), {"decision": Decision.APPROVE})
    assert response.status_code == 403
    assert Review.objects.get(pk=risk.pk).decided_by is None
    # One refusal, one audit event, pointing at the review it refused.
    refusal = AuditEvent.objects.get(verb=Verb.ACCESS_REFUSED)
    assert (refusal.object_type, refusal.object_id, refusal.request_id) == (
        "signoff.review",
        str(risk.pk),
        risk.request_id,
    )


def test_owner_reviewer_sees_why_not(client, erin, rita, ravi):
    use_case = high_risk_use_case(erin, rita, stage=2)
    supply_evidence(use_case, 3)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    request = services.readiness_request_submit(request=request, actor=erin)
    risk = reviews_by_function(request)["risk"]
    client.force_login(rita)
    page = client.get(risk.get_absolute_url())
    # As a lead she may still give the review to someone else; she may not decide it.
    assert page.context["actions"] == ["assign"]
    assert "You own this use case" in page.content.decode()
    response = client.post(risk.get_absolute_url(), {"decision": Decision.APPROVE})
    assert response.status_code == 403
    assert AuditEvent.objects.get(verb=Verb.ACCESS_REFUSED).actor == rita
    assert Review.objects.get(pk=risk.pk).decided_by is None


def test_no_role_gets_404(client, nobody, risk):
    client.force_login(nobody)
    assert client.get(risk.get_absolute_url()).status_code == 404
    assert client.post(risk.get_absolute_url(), {"decision": Decision.APPROVE}).status_code == 404


def test_unknown_review_is_404(client, rita):
    client.force_login(rita)
    assert client.get(reverse("signoff:review-detail", args=[987654])).status_code == 404


def test_review_page_query_budget(client, rita, risk, django_assert_max_num_queries):
    client.force_login(rita)
    with django_assert_max_num_queries(20):
        assert client.get(risk.get_absolute_url()).status_code == 200
