import pytest
from django.urls import reverse

from lifecycle.models import Stage, Tier, UseCase
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("lifecycle:use-case-list")


def _titles(response):
    return [uc.title for uc in response.context["use_cases"]]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["erin", "rita", "audrey", "admin_user"])
def test_everyone_with_a_role_sees_the_registry(client, request, use_case, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    assert _titles(response) == ["Support ticket summaries"]


def test_no_role_sees_nothing(client, nobody, use_case):
    client.force_login(nobody)
    response = client.get(URL)
    assert response.status_code == 200 and _titles(response) == []
    assert b"Register a use case" not in response.content


def test_search_covers_title_slug_purpose_and_team(client, erin):
    factories.UseCaseFactory(title="Credit scoring", slug="credit-pd", purpose="PD model", team="Retail risk")
    factories.UseCaseFactory(title="Code assistant", slug="code-help", purpose="Suggest code", team="Platform")
    client.force_login(erin)
    for q, expected in [
        ("credit", ["Credit scoring"]),
        ("code-help", ["Code assistant"]),
        ("suggest", ["Code assistant"]),
        ("retail", ["Credit scoring"]),
        ("nothing-like-this", []),
    ]:
        assert _titles(client.get(URL, {"q": q})) == expected, q


def test_filters_by_stage_and_tier_and_ignores_nonsense(client, erin):
    factories.UseCaseFactory(title="A", risk_tier=Tier.HIGH)
    b = factories.UseCaseFactory(title="B", risk_tier=Tier.MINIMAL)
    UseCase.objects.filter(pk=b.pk).update(stage=Stage.CONTROLLED)
    client.force_login(erin)
    assert _titles(client.get(URL, {"tier": "high"})) == ["A"]
    assert _titles(client.get(URL, {"stage": "2"})) == ["B"]
    assert _titles(client.get(URL, {"stage": "2", "tier": "high"})) == []
    assert _titles(client.get(URL, {"stage": "banana", "tier": "<script>", "sort": "; drop"})) == ["A", "B"]


def test_sorting(client, erin):
    a = factories.UseCaseFactory(title="Alpha")
    factories.UseCaseFactory(title="Beta")
    UseCase.objects.filter(pk=a.pk).update(stage=Stage.SANDBOX)
    client.force_login(erin)
    assert _titles(client.get(URL, {"sort": "-title"})) == ["Beta", "Alpha"]
    assert _titles(client.get(URL, {"sort": "-stage"})) == ["Alpha", "Beta"]
    assert _titles(client.get(URL, {"sort": "stage"})) == ["Beta", "Alpha"]


def test_the_sortable_headers_link_to_the_next_sort(client, erin, use_case):
    client.force_login(erin)
    columns = {c.label: c for c in client.get(URL, {"sort": "-stage", "tier": "minimal"}).context["sort_columns"]}
    assert {label: (c.aria_sort, c.next_sort) for label, c in columns.items()} == {
        "Title": ("none", "title"),
        "Stage": ("descending", "stage"),
        "Tier": ("none", "tier"),
        "Updated": ("none", "-updated"),
    }
    default = {c.label: c for c in client.get(URL).context["sort_columns"]}
    assert (default["Title"].aria_sort, default["Title"].next_sort) == ("ascending", "-title")
    body = client.get(URL, {"sort": "-stage", "tier": "minimal"}).content.decode()
    assert '<a href="?sort=stage&amp;tier=minimal">Stage ↓</a>' in body


def test_a_bad_filter_is_shown_and_left_out(client, erin, use_case):
    client.force_login(erin)
    response = client.get(URL, {"stage": "٣", "q": "support"})
    assert response.status_code == 200
    assert _titles(response) == ["Support ticket summaries"]
    assert "Select a valid choice. ٣ is not one of the available choices." in response.content.decode()


def test_pagination(client, erin):
    factories.UseCaseFactory.create_batch(30)
    client.force_login(erin)
    first = client.get(URL)
    second = client.get(URL, {"page": 2})
    assert len(first.context["use_cases"]) == 25 and len(second.context["use_cases"]) == 5
    assert b'rel="next"' in first.content
    assert client.get(URL, {"page": "999"}).status_code == 200


@pytest.mark.parametrize("rows", [5, 40])
def test_query_count_does_not_grow_with_rows(client, erin, django_assert_max_num_queries, rows):
    owners = factories.UserFactory.create_batch(3)
    for n in range(rows):
        factories.UseCaseFactory(technical_owner=owners[n % 3], business_owner=owners[(n + 1) % 3])
    client.force_login(erin)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["use_cases"]) == min(rows, 25)
