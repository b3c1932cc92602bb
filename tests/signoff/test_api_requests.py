"""/api/v1/readiness-requests/: list, create, retrieve, submit, withdraw, resubmit, accept."""

import pytest

from audit.models import AuditEvent
from audit.services import Verb
from signoff import services
from signoff.models import Decision, ReadinessRequest, RequestState
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db

BASE = "/api/v1/readiness-requests/"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_create_and_submit_at_once(client, erin, credit, rita, carl, lena):
    client.force_login(erin)
    response = post(client, BASE, {"use_case": credit.slug, "target_stage": 3, "submit": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == RequestState.SUBMITTED
    assert body["snapshot_hash"] == ReadinessRequest.objects.get().snapshot_hash
    assert sorted(r["function"] for r in body["reviews"]) == ["compliance", "legal", "risk"]
    assert body["actions"] == ["withdraw", "comment"]


def test_create_skipping_a_stage_is_400(client, erin, credit):
    client.force_login(erin)
    response = post(client, BASE, {"use_case": credit.slug, "target_stage": 4})
    assert response.status_code == 400
    assert response.json() == {
        "target_stage": [
            "Promotion goes one stage at a time: from 2 · Controlled production the next stage is 3, not 4."
        ]
    }
    assert not ReadinessRequest.objects.exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"use_case": ["This field is required."], "target_stage": ["This field is required."]}),
        ({"use_case": "x"}, {"target_stage": ["This field is required."]}),
        ({"use_case": "x", "target_stage": "high"}, {"target_stage": ["A valid integer is required."]}),
    ],
)
def test_malformed_create_is_400(client, erin, payload, errors):
    client.force_login(erin)
    response = post(client, BASE, payload)
    assert response.status_code == 400
    assert response.json() == errors


def test_create_for_someone_elses_use_case_is_403(client, eric, credit):
    client.force_login(eric)
    response = post(client, BASE, {"use_case": credit.slug, "target_stage": 3})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the use case's owners may ask to promote it."}
    assert not ReadinessRequest.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == 1


def test_create_for_unknown_use_case_is_404(client, erin):
    client.force_login(erin)
    assert post(client, BASE, {"use_case": "nope", "target_stage": 1}).status_code == 404


def test_list_and_retrieve(client, audrey, in_review, django_assert_max_num_queries):
    client.force_login(audrey)
    with django_assert_max_num_queries(10):
        listed = client.get(BASE).json()
    assert [r["id"] for r in listed["results"]] == [in_review.pk]
    detail = client.get(f"{BASE}{in_review.pk}/").json()
    assert detail["evidence_snapshot"] == in_review.evidence_snapshot
    assert len(detail["evidence_snapshot"]["artifacts"]) == 7  # the stage's five, a DPIA and the registration
    assert detail["actions"] == []
    assert detail["gate"]["allowed"] is False


def test_no_role_sees_nothing_and_gets_404(client, nobody, in_review):
    client.force_login(nobody)
    assert client.get(BASE).json()["results"] == []
    assert client.get(f"{BASE}{in_review.pk}/").status_code == 404
    assert post(client, f"{BASE}{in_review.pk}/withdraw/").status_code == 404


def test_unknown_id_is_404(client, erin):
    client.force_login(erin)
    assert client.get(f"{BASE}999999/").status_code == 404
    assert client.get(f"{BASE}abc/").status_code == 404


def test_withdraw(client, erin, eric, in_review):
    client.force_login(eric)
    assert post(client, f"{BASE}{in_review.pk}/withdraw/").status_code == 403
    client.force_login(erin)
    response = post(client, f"{BASE}{in_review.pk}/withdraw/", {"reason": "Superseded by v2"})
    assert response.status_code == 200
    assert response.json()["state"] == RequestState.WITHDRAWN
    again = post(client, f"{BASE}{in_review.pk}/withdraw/")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This request is closed (withdrawn)."]}


def test_submit_twice_is_400(client, erin, in_review):
    client.force_login(erin)
    response = post(client, f"{BASE}{in_review.pk}/submit/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a draft can be submitted; this request is submitted."]}


def test_resubmit(client, erin, rita, in_review):
    client.force_login(erin)
    early = post(client, f"{BASE}{in_review.pk}/resubmit/")
    assert early.status_code == 400
    assert early.json() == {
        "non_field_errors": [
            "Only a request returned with changes requested can be resubmitted; this one is submitted."
        ]
    }
    services.review_decide(
        review=reviews_by_function(in_review)["risk"], actor=rita, decision=Decision.REQUEST_CHANGES, comment="More"
    )
    response = post(client, f"{BASE}{in_review.pk}/resubmit/")
    assert response.status_code == 200
    assert response.json()["revision"] == 2


def test_accept_refused_for_non_owner(client, erin, in_review):
    client.force_login(erin)
    response = post(client, f"{BASE}{in_review.pk}/accept/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the use case's named business owner may accept it."}


def test_accept_not_needed_is_400(client, bob, in_review):
    client.force_login(bob)
    response = post(client, f"{BASE}{in_review.pk}/accept/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This gate does not ask for the business owner's acceptance."]}


def test_create_and_submit_is_all_or_nothing(client, erin, use_case):
    from tests import factories

    factories.ModelVersionFactory(use_case=use_case)
    client.force_login(erin)
    response = post(client, BASE, {"use_case": use_case.slug, "target_stage": 1, "submit": True})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["No risk classification yet: answer the questionnaire."]}
    assert not ReadinessRequest.objects.exists()


def test_list_query_count_does_not_grow_with_rows(client, erin, django_assert_max_num_queries):
    from tests import factories

    for n in range(8):
        use_case = factories.UseCaseFactory(technical_owner=erin, slug=f"api-uc-{n}")
        factories.ModelVersionFactory(use_case=use_case)
        services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    client.force_login(erin)
    with django_assert_max_num_queries(8):
        assert len(client.get(BASE).json()["results"]) == 8


@pytest.mark.parametrize(
    ("who", "detail"),
    [("audrey", "Auditors read; they change nothing."), ("nobody", "Only a use case's owners ask to promote it.")],
)
def test_auditors_and_people_without_a_role_are_refused_before_the_body_is_read(client, who, detail, request):
    client.force_login(request.getfixturevalue(who))
    response = post(client, BASE, {})
    assert response.status_code == 403
    assert response.json() == {"detail": detail}
