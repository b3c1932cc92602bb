"""Numbers typed by people or fuzzers: superscripts, other scripts' digits, and integers no database holds.

`str.isdigit()` says yes to "²" and `int()` then fails; a 36-digit id overflows
the database's integers. Each must end as a filter a page leaves out, a 400 from
the API naming the parameter, or a 404 — never a 500.
"""

import pytest
from django.urls import reverse

from core.params import MAX_DB_INT, id_param, int_param
from signoff import services
from signoff.models import Review
from tests.signoff.helpers import business_owner, high_risk_use_case, supply_evidence

HUGE = "23385695589037065772613093275205632"
ODD = ["²", "٣", "-1", "1.5", " 7", "", HUGE, str(MAX_DB_INT + 1)]


@pytest.mark.parametrize("value", ODD)
def test_id_param_refuses_what_is_not_a_database_id(value):
    assert id_param(value) is None


def test_id_param_accepts_ids_up_to_the_largest_64_bit_integer():
    assert id_param("1") == 1
    assert id_param(str(MAX_DB_INT)) == MAX_DB_INT
    assert id_param("0") is None


def test_int_param_keeps_to_its_range():
    assert int_param("4", high=4) == 4
    assert int_param("5", high=4) is None
    assert int_param("0") == 0
    assert int_param(None) is None


@pytest.fixture
def credit(erin, rita, carl, lena, ravi):
    use_case = high_risk_use_case(erin, business_owner("bob"), stage=2)
    supply_evidence(use_case, 3)
    return use_case


@pytest.mark.django_db
@pytest.mark.parametrize("value", ODD)
def test_odd_numbers_in_a_pages_query_string_are_left_out(client, erin, credit, value):
    client.force_login(erin)
    for url in (
        f"/use-cases/?stage={value}",
        f"/signoff/requests/?stage={value}",
        f"/signoff/requests/new/{credit.slug}/?stage={value}",
        f"/notifications/?page={value}",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("value", [v for v in ODD if v])
def test_odd_numbers_in_an_api_filter_are_a_400_naming_the_parameter(client, erin, credit, value):
    client.force_login(erin)
    for url, parameter in (
        ("/api/v1/reviews/", "request"),
        ("/api/v1/readiness-requests/", "stage"),
        ("/api/v1/use-cases/", "stage"),
    ):
        response = client.get(url, {parameter: value})
        assert response.status_code == 400, url
        assert list(response.json()) == [parameter], url


@pytest.mark.django_db
def test_an_empty_number_filter_is_no_filter(client, erin, credit):
    client.force_login(erin)
    for url in ("/api/v1/reviews/?request=", "/api/v1/readiness-requests/?stage=", "/api/v1/use-cases/?stage="):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", HUGE])
def test_odd_ids_in_paths_are_not_found(client, erin, value):
    client.force_login(erin)
    assert client.get(f"/api/v1/reviews/{value}/").status_code == 404
    assert client.get(f"/api/v1/readiness-requests/{value}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", HUGE])
def test_assigning_to_an_odd_member_id_is_a_400_and_changes_nothing(client, erin, rita, credit, value):
    request = services.readiness_request_submit(
        request=services.readiness_request_create(use_case=credit, actor=erin, target_stage=3), actor=erin
    )
    review = Review.objects.get(request=request, function__key="risk", revision=request.revision)
    client.force_login(rita)
    response = client.post(reverse("signoff:review-assign", args=[review.pk]), {"assignee": value})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.assignee_id is None
