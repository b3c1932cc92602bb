"""A function's queue and a lead's assignment page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from signoff import services
from signoff.models import Review
from tests import factories
from tests.signoff.helpers import reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db

QUEUE = reverse("signoff:review-queue")


def test_overdue_first_then_by_due_date(client, rita, erin, in_review, eric):
    other = factories.UseCaseFactory(technical_owner=eric, slug="other", title="Other")
    from tests.signoff.helpers import put_at_stage

    put_at_stage(other, 1)
    supply_evidence(other, 2)
    second = services.readiness_request_submit(
        request=services.readiness_request_create(use_case=other, actor=eric, target_stage=2), actor=eric
    )
    late = reviews_by_function(second)["risk"]
    Review.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    client.force_login(rita)
    response = client.get(QUEUE, {"function": "risk"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["reviews"]] == [late.pk, reviews_by_function(in_review)["risk"].pk]
    assert "Overdue since" in response.content.decode()


def test_scopes(client, rita, ravi, in_review):
    review = reviews_by_function(in_review)["risk"]
    client.force_login(ravi)
    assert list(client.get(QUEUE, {"scope": "unassigned"}).context["reviews"]) == [review]
    services.review_claim(review=review, actor=ravi)
    assert list(client.get(QUEUE, {"scope": "unassigned"}).context["reviews"]) == []
    assert list(client.get(QUEUE, {"scope": "mine"}).context["reviews"]) == [review]


def test_defaults_to_the_users_function(client, carl, in_review):
    client.force_login(carl)
    response = client.get(QUEUE)
    assert response.context["function"].key == "compliance"


def test_a_member_may_choose_every_function(client, rita, in_review):
    client.force_login(rita)
    response = client.get(QUEUE, {"function": ""})
    assert response.context["function"] is None
    assert {r.function.key for r in response.context["reviews"]} == {"risk", "compliance", "legal"}


def test_an_unknown_function_is_shown_and_left_out(client, rita, in_review):
    client.force_login(rita)
    response = client.get(QUEUE, {"function": "astrology"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["function"]
    assert len(response.context["reviews"]) == 3


def test_bad_parameters_are_shown_and_left_out(client, rita, in_review):
    client.force_login(rita)
    response = client.get(QUEUE, {"function": "nope", "scope": "weird"})
    assert response.status_code == 200
    # Each value that means nothing is said so beside the form and left out: every function's open reviews.
    assert sorted(response.context["form"].errors) == ["function", "scope"]
    assert response.context["function"] is None
    assert len(response.context["reviews"]) == 3


def test_no_role_sees_nothing(client, nobody, in_review):
    client.force_login(nobody)
    assert list(client.get(QUEUE).context["reviews"]) == []


def test_queue_query_count(client, rita, in_review, django_assert_max_num_queries):
    client.force_login(rita)
    with django_assert_max_num_queries(12):
        assert client.get(QUEUE, {"function": "risk"}).status_code == 200


def test_lead_assignment_page(client, rita, ravi, in_review):
    client.force_login(rita)
    url = reverse("signoff:function-assignments", args=["risk"])
    response = client.get(url)
    assert response.status_code == 200
    [row] = response.context["rows"]
    review = row["review"]
    assert review == reviews_by_function(in_review)["risk"]
    assert list(row["eligible"]) == [ravi, rita]
    response = client.post(reverse("signoff:review-assign", args=[review.pk]), {"assignee": ravi.pk, "next": url})
    assert response.status_code == 302
    assert response["Location"] == url


def test_assignment_page_requires_a_lead(client, ravi, audrey, in_review):
    url = reverse("signoff:function-assignments", args=["risk"])
    for who in (ravi, audrey):
        client.force_login(who)
        assert client.get(url).status_code == 403


def test_assignment_page_unknown_function_is_404(client, rita):
    client.force_login(rita)
    assert client.get(reverse("signoff:function-assignments", args=["astrology"])).status_code == 404
