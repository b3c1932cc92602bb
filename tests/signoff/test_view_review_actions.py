"""Claim, assign and hand over from the pages."""

import pytest
from django.urls import reverse

from signoff.access import DECIDE_REVIEW
from signoff.models import Review
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(in_review):
    return reviews_by_function(in_review)["risk"]


def post(client, name, review, data=None):
    return client.post(reverse(f"signoff:{name}", args=[review.pk]), data or {})


def test_member_claims(client, ravi, risk):
    client.force_login(ravi)
    assert post(client, "review-claim", risk).status_code == 302
    assert Review.objects.get(pk=risk.pk).assignee == ravi


@pytest.mark.parametrize("who", ["carl", "audrey", "erin"])
def test_claim_requires_membership(client, risk, who, request):
    client.force_login(request.getfixturevalue(who))
    assert post(client, "review-claim", risk).status_code == 403
    assert Review.objects.get(pk=risk.pk).assignee is None


def test_lead_assigns(client, rita, ravi, risk):
    client.force_login(rita)
    response = post(client, "review-assign", risk, {"assignee": ravi.pk})
    assert response.status_code == 302
    review = Review.objects.get(pk=risk.pk)
    assert review.assignee == ravi
    assert ravi.has_perm(DECIDE_REVIEW, review)


def test_assign_to_a_non_member_says_why(client, rita, cora, risk):
    client.force_login(rita)
    response = post(client, "review-assign", risk, {"assignee": cora.pk})
    assert response.status_code == 400
    assert Review.objects.get(pk=risk.pk).assignee is None
    assert "Choose a member of Risk." in response.content.decode()


def test_assign_without_anyone_is_400(client, rita, risk):
    client.force_login(rita)
    assert post(client, "review-assign", risk).status_code == 400
    assert Review.objects.get(pk=risk.pk).assignee is None


def test_assign_requires_a_lead(client, ravi, risk):
    client.force_login(ravi)
    assert post(client, "review-assign", risk, {"assignee": ravi.pk}).status_code == 403
    assert Review.objects.get(pk=risk.pk).assignee is None


def test_hand_over(client, ravi, rita, carl, risk):
    client.force_login(ravi)
    assert post(client, "review-claim", risk).status_code == 302
    client.force_login(carl)
    assert post(client, "review-hand-over", risk, {"to": rita.pk}).status_code == 403
    client.force_login(ravi)
    assert post(client, "review-hand-over", risk, {"to": rita.pk, "note": "Away"}).status_code == 302
    assert Review.objects.get(pk=risk.pk).assignee == rita


def test_unknown_review_is_404(client, rita):
    client.force_login(rita)
    assert client.post(reverse("signoff:review-claim", args=[555555])).status_code == 404


def test_no_role_gets_404(client, nobody, risk):
    client.force_login(nobody)
    assert post(client, "review-claim", risk).status_code == 404
