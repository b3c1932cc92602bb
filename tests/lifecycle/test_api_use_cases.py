import pytest

from audit.models import AuditEvent
from lifecycle.models import Stage, Tier, UseCase
from tests import factories
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db
LIST = "/api/v1/use-cases/"


def _detail(slug):
    return f"/api/v1/use-cases/{slug}/"


def test_list_with_filters(erin, use_case):
    high = factories.UseCaseFactory(title="Credit scoring", slug="credit", risk_tier=Tier.HIGH)
    UseCase.objects.filter(pk=high.pk).update(stage=Stage.SANDBOX)
    client = bearer_client(erin)
    body = client.get(LIST).json()
    assert body["count"] == 2 and [r["slug"] for r in body["results"]] == ["credit", "support-summaries"]
    assert [r["slug"] for r in client.get(LIST, {"tier": "high"}).json()["results"]] == ["credit"]
    assert [r["slug"] for r in client.get(LIST, {"stage": 1}).json()["results"]] == ["credit"]
    assert [r["slug"] for r in client.get(LIST, {"q": "scoring"}).json()["results"]] == ["credit"]
    refused = client.get(LIST, {"stage": "x", "sort": "nope"})
    assert refused.status_code == 400 and set(refused.json()) == {"stage", "sort"}


def test_list_query_count_is_flat(erin, django_assert_max_num_queries):
    factories.UseCaseFactory.create_batch(30)
    client = bearer_client(erin)
    with django_assert_max_num_queries(8):
        assert len(client.get(LIST).json()["results"]) == 30


def test_retrieve(erin, use_case):
    body = bearer_client(erin).get(_detail(use_case.slug)).json()
    assert body["slug"] == "support-summaries" and body["technical_owner"] == "erin" and body["stage"] == 0
    assert body["url"] == f"http://testserver{_detail(use_case.slug)}"


def test_no_role_sees_nothing_and_gets_404(nobody, use_case):
    client = bearer_client(nobody)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(_detail(use_case.slug)).status_code == 404


def test_create(erin, eric):
    response = bearer_client(erin).post(
        LIST,
        {"title": "Claims triage", "purpose": "Route claims", "business_owner": "eric", "customer_facing": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["technical_owner"], body["business_owner"]) == ("claims-triage", "erin", "eric")
    assert body["customer_facing"] is True


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"purpose": "p"}, {"title": ["This field is required."]}),
        (
            {"title": "t", "purpose": "p", "technical_owner": "ghost"},
            {"technical_owner": ["Object with username=ghost does not exist."]},
        ),
        (
            {"title": "t", "purpose": "p", "slug": "support-summaries"},
            {"slug": ["The slug 'support-summaries' is taken; choose another."]},
        ),
        (
            {"title": "t", "purpose": "p", "slug": "Not A Slug"},
            {"slug": ['Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.']},
        ),
        (
            {"title": "t", "purpose": "p", "customer_facing": "perhaps"},
            {"customer_facing": ["Must be a valid boolean."]},
        ),
        ({"title": ["t"], "purpose": {"x": 1}}, {"title": ["Not a valid string."], "purpose": ["Not a valid string."]}),
    ],
)
def test_create_bad_input_is_400_with_field_messages(erin, audrey, use_case, payload, errors):
    response = bearer_client(erin).post(LIST, payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert UseCase.objects.count() == 1


def test_an_auditor_named_owner_is_refused_for_being_an_auditor(erin, audrey):
    response = bearer_client(erin).post(
        LIST, {"title": "t", "purpose": "p", "technical_owner": "audrey"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "technical_owner": ["The technical owner must hold a role in the portal and not be an auditor."]
    }
    assert not UseCase.objects.exists()


def test_auditor_cannot_create(audrey):
    response = bearer_client(audrey).post(LIST, {"title": "t", "purpose": "p"}, format="json")
    assert response.status_code == 403 and not UseCase.objects.exists()
    assert response.json() == {"detail": "Auditors and accounts without a role may not register use cases."}
    assert AuditEvent.objects.get(verb="access.refused").actor == audrey


def test_owner_patches(erin, use_case):
    response = bearer_client(erin).patch(
        _detail(use_case.slug), {"team": "Service desk", "business_owner": None}, format="json"
    )
    assert response.status_code == 200 and response.json()["team"] == "Service desk"
    assert AuditEvent.objects.get(verb="use_case.updated").changes == {"team": ["Customer operations", "Service desk"]}


def test_patch_cannot_change_slug_stage_or_tier(erin, use_case):
    client = bearer_client(erin)
    refused = client.patch(_detail(use_case.slug), {"slug": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"slug": ["The slug never changes after creation."]}
    flows = client.patch(
        _detail(use_case.slug), {"stage": 4, "risk_tier": "high", "revalidation_due": "2099-01-01"}, format="json"
    )
    assert flows.json() == {
        "revalidation_due": ["Not set here: the review date follows from approvals."],
        "risk_tier": ["Not set here: the tier comes from the risk classification."],
        "stage": ["Not set here: the stage changes through readiness requests, demotion and retirement."],
    }
    use_case.refresh_from_db()
    assert (use_case.slug, use_case.stage, use_case.risk_tier) == ("support-summaries", 0, "minimal")
    assert use_case.revalidation_due is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("stage", 4), ("risk_tier", "high"), ("internal_tier", "high"), ("revalidation_due", "2099-01-01")],
)
def test_patch_of_a_field_only_its_own_flow_sets_is_refused(erin, use_case, field, value):
    response = bearer_client(erin).patch(_detail(use_case.slug), {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_patch_bad_input_is_400(erin, use_case):
    response = bearer_client(erin).patch(_detail(use_case.slug), {"title": "", "technical_owner": None}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "title": ["This field may not be blank."],
        "technical_owner": ["This field may not be null."],
    }


@pytest.mark.parametrize(("who", "status"), [("eric", 403), ("audrey", 403), ("rita", 403), ("nobody", 404)])
def test_others_cannot_patch(request, use_case, who, status):
    response = bearer_client(request.getfixturevalue(who)).patch(
        _detail(use_case.slug), {"title": "Hijacked"}, format="json"
    )
    assert response.status_code == status
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"


def test_put_and_delete_are_not_offered(erin, use_case):
    client = bearer_client(erin)
    assert client.put(_detail(use_case.slug), {}, format="json").status_code == 405
    assert client.delete(_detail(use_case.slug)).status_code == 405
    assert UseCase.objects.filter(pk=use_case.pk).exists()


def test_create_names_the_use_cases_it_resembles_and_registers_anyway(erin, use_case):
    response = bearer_client(erin).post(
        LIST, {"title": "Support ticket summariser", "purpose": "Summarise tickets."}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["resembling"] == [
        {
            "slug": "support-summaries",
            "title": "Support ticket summaries",
            "technical_owner": "erin",
            "stage": 0,
            "stage_label": use_case.get_stage_display(),
        }
    ]
    assert UseCase.objects.count() == 2


def test_create_of_an_unrelated_title_resembles_nothing(erin, use_case):
    response = bearer_client(erin).post(LIST, {"title": "Invoice fraud scoring", "purpose": "p"}, format="json")
    assert response.status_code == 201 and response.json()["resembling"] == []
