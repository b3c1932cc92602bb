"""GET /api/v1/use-cases/{slug}/gate/?stage=N: the pipeline's question."""

from io import StringIO

import pytest

from lifecycle.models import Stage, StageChange, UseCase
from signoff import services
from signoff.models import Decision
from tests import factories
from tests.signoff.helpers import reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db


def gate(client, slug: str, stage) -> tuple[int, dict]:
    response = client.get(f"/api/v1/use-cases/{slug}/gate/", {} if stage is None else {"stage": stage})
    return response.status_code, response.json()


def test_not_allowed_before_promotion(client, erin, credit):
    client.force_login(erin)
    code, body = gate(client, credit.slug, 3)
    assert code == 200
    assert body["allowed"] is False
    assert body["stage"] == 3
    assert {"key", "met", "detail"} == set(body["requirements"][0])
    # Put at stage 2 without an approval: no version has been approved to run there.
    assert body["requirements"] == [
        {
            "key": "version.known",
            "met": False,
            "detail": "No version has been approved at the use case's current stage.",
        }
    ]
    assert (body["version"], body["approval"], body["pending"]) == (None, None, False)


def test_allowed_at_the_current_stage_with_a_bearer_token(client, erin, use_case):
    from django.core.management import call_command

    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
    )
    from io import StringIO

    out = StringIO()
    call_command("issue_token", "erin", stdout=out)
    token = out.getvalue().strip().split()[-1]
    response = client.get(
        f"/api/v1/use-cases/{use_case.slug}/gate/", {"stage": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["allowed"] is True
    assert (
        client.get(
            f"/api/v1/use-cases/{use_case.slug}/gate/", {"stage": 2}, headers={"Authorization": f"Bearer {token}"}
        ).json()["allowed"]
        is False
    )


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (None, "Give the stage to check, e.g. ?stage=3."),
        ("three", "The stage must be one digit from 0 to 4, not 'three'."),
        ("7", "The stage must be one digit from 0 to 4, not '7'."),
        ("-1", "The stage must be one digit from 0 to 4, not '-1'."),
    ],
)
def test_bad_stage_is_400_with_a_message(client, erin, credit, stage, message):
    client.force_login(erin)
    code, body = gate(client, credit.slug, stage)
    assert code == 400
    assert body == {"stage": [message]}


def test_unknown_slug_is_404(client, erin):
    client.force_login(erin)
    assert gate(client, "no-such-use-case", 1)[0] == 404


def test_no_role_gets_404(client, nobody, credit):
    client.force_login(nobody)
    assert gate(client, credit.slug, 1)[0] == 404


def test_anonymous_is_refused(client, credit):
    response = client.get(f"/api/v1/use-cases/{credit.slug}/gate/", {"stage": 1})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_full_journey_ends_with_the_gate_allowing_stage_three(client, erin, bob, rita, carl, lena, ravi, cora, leo):
    """erin asks for stage 3 of a high-risk use case; the evaluator lists what is missing; she supplies it;
    rita, carl and lena sign; the stage becomes 3; the pipeline's gate answers allowed."""
    from tests.signoff.helpers import high_risk_use_case

    use_case = high_risk_use_case(erin, bob, stage=2)
    factories.ModelVersionFactory(use_case=use_case)
    client.force_login(erin)
    created = client.post(
        "/api/v1/readiness-requests/", {"use_case": use_case.slug, "target_stage": 3}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    missing = sorted(r["key"] for r in created.json()["gate"]["requirements"] if not r["met"])
    assert missing == [
        "classification.final",
        "classification.present",
        "evaluation.thresholds",
        "evidence.communication_plan",
        "evidence.data_lineage",
        "evidence.evaluation_report",
        "evidence.observability_plan",
        "evidence.rollback_test",
        "obligation.dpia",
        "obligation.eu_registration",
        "readiness.business_kpi",
        "readiness.compliance_accounted",
        "readiness.controls_designed",
        "readiness.evaluation_rules",
        "readiness.named_owner",
        "readiness.representative_data",
        "readiness.workflow_integration",
        "signoff.compliance",
        "signoff.legal",
        "signoff.risk",
    ]
    refused = client.post(f"/api/v1/readiness-requests/{request_id}/submit/")
    assert refused.status_code == 400
    assert "Missing: Rollback test record." in str(refused.json())

    supply_evidence(use_case, 3, tier="high")
    assert client.post(f"/api/v1/readiness-requests/{request_id}/submit/").status_code == 200
    request = use_case.readiness_requests.get()
    reviews = reviews_by_function(request)
    for who, function in ((rita, "risk"), (carl, "compliance"), (lena, "legal")):
        client.force_login(who)
        response = client.post(
            f"/api/v1/reviews/{reviews[function].pk}/decide/",
            {"decision": Decision.APPROVE},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.GUARDED
    assert StageChange.objects.filter(use_case=use_case).count() == 1
    client.force_login(erin)
    code, body = gate(client, use_case.slug, 3)
    assert code == 200
    assert body["allowed"] is True, body
    assert gate(client, use_case.slug, 4)[1]["allowed"] is False


def test_the_gate_answers_a_token_in_four_queries_and_writes_nothing(client, erin, use_case, django_assert_num_queries):
    from django.core.management import call_command

    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
    )
    out = StringIO()
    call_command("issue_token", "erin", "--scope", "gate", stdout=out)
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    url = f"/api/v1/use-cases/{use_case.slug}/gate/"
    client.get(url, {"stage": 1}, headers=headers)  # the first use notes the token's last use, once
    # The token with its account, the account's roles, the use case with its run versions and the chain head,
    # the version's requests: a pipeline polling the gate costs four reads, and no write.
    with django_assert_num_queries(4):
        assert client.get(url, {"stage": 1}, headers=headers).json()["allowed"] is True
    label = use_case.versions.get().label
    with django_assert_num_queries(4):
        assert client.get(url, {"stage": 1, "version": label}, headers=headers).json()["allowed"] is True
