"""Every list is filtered by one FilterSet that its page and its API endpoint share.

For each list: the page and the API give the same rows for the same query
string; a value that does not validate is a 400 from the API naming the
parameter, and on the page it is shown beside the form and left out; a control
character (NUL above all, which PostgreSQL refuses in text) is refused before it
reaches a filter (core/middleware.py); and the schema documents every filter.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Tier
from signoff import services
from tests import factories
from tests.signoff.helpers import put_at_stage, reviews_by_function, supply_evidence
from tests.signoff.packet_builders import packet_stub

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListRoutes:
    page: str
    api: str
    actor: str
    api_key: str

    def page_rows(self, response) -> list:
        context = response.context
        match self.api:
            case "/api/v1/use-cases/":
                return [uc.slug for uc in context["use_cases"]]
            case "/api/v1/readiness-requests/":
                return [r.pk for r in context["requests"]]
            case "/api/v1/reviews/":
                return [r.pk for r in context["reviews"]]
            case "/api/v1/packets/":
                return [p.packet_id for p in context["page_obj"]]
            case _:
                return [event.seq for event, _ in context["rows"]]

    def api_rows(self, response) -> list:
        return [row[self.api_key] for row in response.json()["results"]]


USE_CASES = ListRoutes(reverse("lifecycle:use-case-list"), "/api/v1/use-cases/", "erin", "slug")
REQUESTS = ListRoutes(reverse("signoff:request-list"), "/api/v1/readiness-requests/", "erin", "id")
# The queue page starts from the open reviews; every review in the world below is open, so the two agree.
REVIEWS = ListRoutes(reverse("signoff:review-queue"), "/api/v1/reviews/", "ravi", "id")
PACKETS = ListRoutes(reverse("signoff:packet-list"), "/api/v1/packets/", "audrey", "packet_id")
AUDIT = ListRoutes(reverse("portal:audit"), "/api/v1/audit-events/", "audrey", "seq")


@pytest.fixture
def world(erin, eric, ravi, in_review, use_case):
    """Use cases at several stages and tiers, a draft and a request in review, a claimed review, two packets."""
    chat = factories.UseCaseFactory(
        slug="chat-helper", title="Chat helper", technical_owner=eric, team="Retail", risk_tier=Tier.LIMITED
    )
    fraud = put_at_stage(factories.UseCaseFactory(slug="fraud-flags", title="Fraud flags", technical_owner=eric), 1)
    supply_evidence(use_case, 1)
    services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    services.review_claim(review=reviews_by_function(in_review)["risk"], actor=ravi)
    now = timezone.now()
    packet_stub(use_case=chat, target_stage=2, decided_at=now - timedelta(days=10))
    packet_stub(use_case=fraud, target_stage=3, decided_at=now)
    return {"request": in_review.pk, "today": timezone.localdate().isoformat()}


SAME_ROWS = [
    (USE_CASES, "q=credit"),
    (USE_CASES, "q=retail"),
    (USE_CASES, "stage=2"),
    (USE_CASES, "tier=high"),
    (USE_CASES, "sort=-title"),
    (USE_CASES, "stage=0&sort=-updated"),
    (REQUESTS, "q=support"),
    (REQUESTS, "state=submitted"),
    (REQUESTS, "stage=3"),
    (REQUESTS, "function=legal"),
    (REQUESTS, "sort=created"),
    (REVIEWS, "function=risk"),
    (REVIEWS, "function=risk&scope=mine"),
    (REVIEWS, "function=compliance&scope=unassigned"),
    (REVIEWS, "function=legal&sort=-due"),
    (REVIEWS, "function=risk&request={request}"),
    (PACKETS, "use_case=chat"),
    (PACKETS, "stage=3"),
    (PACKETS, "since={today}"),
    (PACKETS, "sort=approved"),
    (AUDIT, "verb=request.submitted"),
    (AUDIT, "actor=erin"),
    (AUDIT, "use_case=credit-scoring"),
    (AUDIT, "request={request}"),
    (AUDIT, "since={today}&until={today}&sort=seq"),
]


@pytest.mark.parametrize(("routes", "query"), SAME_ROWS, ids=[f"{r.api}?{q}" for r, q in SAME_ROWS])
def test_the_page_and_the_api_give_the_same_rows_for_the_same_query(client, request, world, routes, query):
    client.force_login(request.getfixturevalue(routes.actor))
    query = query.format(**world)
    page = client.get(f"{routes.page}?{query}")
    api = client.get(f"{routes.api}?{query}")
    assert page.status_code == 200 and api.status_code == 200
    assert page.context["form"].errors == {}
    rows = routes.page_rows(page)
    assert rows, "a query that matches nothing would prove nothing"
    assert routes.api_rows(api) == rows


def _queue_function(routes: ListRoutes, parameter: str) -> dict:
    """The queue page lands a member on their own function; naming one keeps the comparison about `parameter`."""
    if routes is not REVIEWS:
        return {}
    return {"function": ""} if parameter == "function" else {"function": "risk"}


BAD_VALUES = [
    (USE_CASES, "stage", "banana"),
    (USE_CASES, "tier", "<script>"),
    (USE_CASES, "sort", "__class__"),
    (USE_CASES, "q", "x" * 101),
    (REQUESTS, "state", "pending"),
    (REQUESTS, "stage", "0"),
    (REQUESTS, "function", "astrology"),
    (REQUESTS, "sort", "due"),
    (REVIEWS, "function", "astrology"),
    (REVIEWS, "state", "open"),
    (REVIEWS, "request", "٣"),
    (REVIEWS, "scope", "everyone"),
    (REVIEWS, "sort", "-created"),
    (PACKETS, "stage", "7"),
    (PACKETS, "since", "soon"),
    (PACKETS, "sort", "title"),
    (AUDIT, "use_case", "no-such-thing"),
    (AUDIT, "verb", "made.up"),
    (AUDIT, "request", "99999999999999999999"),
    (AUDIT, "until", "tomorrow"),
]


@pytest.mark.parametrize(("routes", "parameter", "value"), BAD_VALUES, ids=[f"{r.api}?{p}" for r, p, _ in BAD_VALUES])
def test_a_bad_value_is_a_400_from_the_api_naming_the_parameter(client, request, world, routes, parameter, value):
    client.force_login(request.getfixturevalue(routes.actor))
    response = client.get(routes.api, {parameter: value})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter][0]


@pytest.mark.parametrize(("routes", "parameter", "value"), BAD_VALUES, ids=[f"{r.page}?{p}" for r, p, _ in BAD_VALUES])
def test_a_bad_value_is_shown_on_the_page_and_left_out(client, request, world, routes, parameter, value):
    client.force_login(request.getfixturevalue(routes.actor))
    others = _queue_function(routes, parameter)
    response = client.get(routes.page, {**others, parameter: value})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [parameter]
    assert routes.page_rows(response) == routes.page_rows(client.get(routes.page, others))


def test_an_empty_date_range_names_its_end(client, audrey, world):
    client.force_login(audrey)
    for routes in (PACKETS, AUDIT):
        response = client.get(routes.api, {"since": "2026-03-01", "until": "2026-01-01"})
        assert response.status_code == 400
        assert response.json() == {"until": ["The start date is after the end date."]}


TEXT_FILTERS = [
    (USE_CASES, "q"),
    (REQUESTS, "q"),
    (REQUESTS, "function"),
    (REVIEWS, "function"),
    (PACKETS, "use_case"),
    (AUDIT, "actor"),
    (AUDIT, "use_case"),
]


@pytest.mark.parametrize("value", ["credit\x00scoring", "\x00", "\x1b[2J"], ids=["nul-inside", "nul", "escape"])
@pytest.mark.parametrize(("routes", "parameter"), TEXT_FILTERS, ids=[f"{r.api}?{p}" for r, p in TEXT_FILTERS])
def test_a_control_character_is_a_400_naming_the_parameter_on_the_api_and_the_page(
    client, request, world, routes, parameter, value
):
    message = f"The parameter '{parameter}' contains a control character (such as NUL); remove it."
    client.force_login(request.getfixturevalue(routes.actor))
    api = client.get(routes.api, {parameter: value})
    assert api.status_code == 400
    assert api.json() == {parameter: [message]}
    page = client.get(routes.page, {**_queue_function(routes, parameter), parameter: value})
    assert page.status_code == 400
    assert page.content.decode() == message


def test_a_control_character_refuses_the_audit_export(client, audrey, world):
    client.force_login(audrey)
    response = client.get(reverse("portal:audit-export"), {"actor": "erin\x00"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(verb=Verb.AUDIT_EXPORTED).exists()


DOCUMENTED = {
    "/api/v1/use-cases/": {"q", "stage", "tier", "sort"},
    "/api/v1/readiness-requests/": {"q", "state", "stage", "function", "sort"},
    "/api/v1/reviews/": {"function", "state", "request", "scope", "sort"},
    "/api/v1/packets/": {"use_case", "stage", "since", "until", "sort"},
    "/api/v1/audit-events/": {"use_case", "actor", "verb", "since", "until", "request", "sort"},
}


def test_the_schema_documents_each_lists_filters(client, erin):
    client.force_login(erin)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, filters in DOCUMENTED.items():
        parameters = {p["name"]: p for p in paths[path]["get"]["parameters"]}
        assert set(parameters) == filters | {"limit", "offset"}, path
    use_case_sort = {p["name"]: p for p in paths["/api/v1/use-cases/"]["get"]["parameters"]}["sort"]
    assert set(use_case_sort["schema"]["items"]["enum"]) == {
        key for name in ("title", "stage", "tier", "updated") for key in (name, f"-{name}")
    }
    review_params = {p["name"]: p for p in paths["/api/v1/reviews/"]["get"]["parameters"]}
    assert review_params["request"]["schema"]["type"] == "integer"
    assert set(review_params["scope"]["schema"]["enum"]) == {"all", "unassigned", "mine"}


def test_the_filters_generate_the_schema_without_warnings():
    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] == []
