"""No input ever produces a 500: each of these once did, and now answers a 4xx that names the problem."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from lifecycle.models import RiskAssessment, UseCase
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/use-cases/",
    "/api/v1/readiness-requests/",
    "/api/v1/reviews/",
    "/api/v1/packets/",
    "/api/v1/findings/",
    "/api/v1/exceptions/",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=9223372036854775808", "limit"),
        ("limit=-1", "limit"),
        ("limit=٣", "limit"),
        ("offset=9223372036854775808", "offset"),
        ("offset=x", "offset"),
    ],
)
def test_pagination_out_of_range_is_a_400_naming_the_parameter(erin, url, query, parameter):
    response = bearer_client(erin).get(f"{url}?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_a_page_never_exceeds_the_largest_limit(erin):
    UseCase.objects.bulk_create(
        UseCase(slug=f"u{n}", title=f"U{n:03}", purpose="p", technical_owner=erin, created_by=erin) for n in range(201)
    )
    body = bearer_client(erin).get("/api/v1/use-cases/?limit=100000").json()
    assert (body["count"], len(body["results"])) == (201, 200)
    assert body["next"].endswith("?limit=200&offset=200")


@pytest.mark.parametrize(
    ("url", "parameter"), [("/api/v1/use-cases/?q=a%00b", "q"), ("/api/v1/readiness-requests/?state=%00", "state")]
)
def test_a_nul_in_an_api_query_string_is_a_400_naming_it(erin, url, parameter):
    response = bearer_client(erin).get(url)
    assert response.status_code == 400
    assert response.json() == {
        parameter: [f"The parameter '{parameter}' contains a control character (such as NUL); remove it."]
    }


@pytest.mark.parametrize("url", ["/use-cases/?q=a%00b", "/signoff/requests/?q=%00", "/audit/?verb=%01"])
def test_a_nul_in_a_page_query_string_is_a_400(client, erin, audrey, url):
    client.force_login(audrey if url.startswith("/audit/") else erin)
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/use-cases.json", "/api/v1/reviews.api", "/api/v1/readiness-requests.json"])
def test_format_suffixes_are_not_routes(erin, url):
    assert bearer_client(erin).get(url).status_code == 404


def test_json_nested_a_thousand_levels_is_a_400(erin, use_case):
    body = '{"answers": ' + "[" * 1000 + "]" * 1000 + ', "is_final": true}'
    response = bearer_client(erin).post(
        f"/api/v1/use-cases/{use_case.slug}/risk-assessments/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nests deeper" in response.json()["detail"]
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("text", ["why\\u0000not", "half \\ud800 a pair"])
def test_a_nul_or_lone_surrogate_inside_questionnaire_answers_is_a_400(erin, use_case, text):
    body = '{"answers": {"Q01": {"answer": true, "rationale": "' + text + '"}}, "is_final": false}'
    response = bearer_client(erin).post(
        f"/api/v1/use-cases/{use_case.slug}/risk-assessments/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "answers.Q01.rationale" in response.json()["detail"]
    assert not RiskAssessment.objects.exists()
    assert not AuditEvent.objects.filter(verb="assessment.recorded").exists()


def test_nan_is_not_json(erin, use_case):
    body = json.dumps({"label": "1", "metrics": [{"name": "x", "value": 1, "threshold": 1}]}).replace("1}", "NaN}")
    response = bearer_client(erin).post(
        f"/api/v1/use-cases/{use_case.slug}/versions/", body, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("stage", ["+3", " 3", "3 ", "٣", "03", "3.0", "5", "-1", "three"])
def test_the_gate_takes_one_plain_digit(erin, use_case, stage):
    response = bearer_client(erin).get(f"/api/v1/use-cases/{use_case.slug}/gate/", {"stage": stage})
    assert response.status_code == 400
    assert list(response.json()) == ["stage"]


def test_signed_in_pages_and_answers_are_not_stored(client, erin, use_case):
    client.force_login(erin)
    for url in [reverse("portal:home"), use_case.get_absolute_url(), "/api/v1/use-cases/"]:
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control
    client.logout()
    # A public answer is left to the default: only what a signed-in person sees is never stored.
    assert client.get(reverse("healthz")).get("Cache-Control") is None
