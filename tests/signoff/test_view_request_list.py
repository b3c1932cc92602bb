"""The list of readiness requests, with search and filters."""

import pytest
from django.urls import reverse

from signoff import services
from tests import factories
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db

URL = reverse("signoff:request-list")


def test_lists_and_filters(client, erin, in_review, use_case):
    supply_evidence(use_case, 1)
    draft = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    client.force_login(erin)
    assert [r.pk for r in client.get(URL).context["requests"]] == [draft.pk, in_review.pk]
    assert [r.pk for r in client.get(URL, {"q": "credit"}).context["requests"]] == [in_review.pk]
    assert [r.pk for r in client.get(URL, {"state": "submitted"}).context["requests"]] == [in_review.pk]
    assert [r.pk for r in client.get(URL, {"stage": "3"}).context["requests"]] == [in_review.pk]
    assert [r.pk for r in client.get(URL, {"function": "legal"}).context["requests"]] == [in_review.pk]


def test_bad_filters_are_ignored(client, erin, in_review):
    client.force_login(erin)
    response = client.get(URL, {"state": "nonsense", "stage": "x", "page": "zzz"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["requests"]] == [in_review.pk]


def test_no_role_sees_nothing(client, nobody, in_review):
    client.force_login(nobody)
    response = client.get(URL)
    assert response.status_code == 200
    assert list(response.context["requests"]) == []


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_query_count_does_not_grow_with_rows(client, erin, django_assert_max_num_queries):
    for n in range(12):
        use_case = factories.UseCaseFactory(technical_owner=erin, slug=f"uc-{n}")
        factories.ModelVersionFactory(use_case=use_case)
        services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    client.force_login(erin)
    with django_assert_max_num_queries(12):
        assert len(client.get(URL).context["requests"]) == 12
