"""Audit events over the API: read-only, filtered, for auditors and administrators."""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import Verb, audit_record
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/audit-events/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def trail(erin, eric):
    mine = factories.UseCaseFactory(slug="mine", technical_owner=erin)
    with transaction.atomic():
        audit_record(actor=erin, verb=Verb.REQUEST_SUBMITTED, obj=mine, use_case_id=mine.pk, request_id=5)
        audit_record(actor=eric, verb=Verb.ARTIFACT_UPLOADED, changes={"name": "x.pdf"})
    return mine


@pytest.mark.parametrize("actor", ["audrey", "admin_user"])
def test_auditors_and_admins_list_events_newest_first(api, request, trail, actor):
    api.force_authenticate(request.getfixturevalue(actor))
    response = api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == AuditEvent.objects.count()
    assert [e["seq"] for e in body["results"]] == list(
        AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)
    )
    newest = AuditEvent.objects.order_by("-seq").first()
    assert body["results"][0]["hash"] == newest.hash
    # Accounts created for the test are on the record too; of the trail's two events, eric's is newer.
    actors = [e["actor"] for e in body["results"] if e["verb"] in (Verb.REQUEST_SUBMITTED, Verb.ARTIFACT_UPLOADED)]
    assert actors == ["eric", "erin"]


def test_filters(api, audrey, trail):
    api.force_authenticate(audrey)
    by_verb = api.get(LIST, {"verb": Verb.REQUEST_SUBMITTED}).json()["results"]
    assert [(e["verb"], e["request_id"]) for e in by_verb] == [(Verb.REQUEST_SUBMITTED, 5)]
    by_actor = api.get(LIST, {"actor": "eric"}).json()["results"]
    assert [(e["actor"], e["verb"]) for e in by_actor] == [("eric", Verb.ARTIFACT_UPLOADED)]
    by_use_case = api.get(LIST, {"use_case": "mine"}).json()["results"]
    assert [(e["use_case_id"], e["verb"]) for e in by_use_case] == [
        (trail.pk, Verb.REQUEST_SUBMITTED),
        (trail.pk, Verb.PERMISSION_GRANTED),
    ]
    assert api.get(LIST, {"request": 5}).json()["count"] == 1


def test_bad_filters_are_a_400_naming_the_field(api, audrey, trail):
    api.force_authenticate(audrey)
    response = api.get(LIST, {"use_case": "nope"})
    assert response.status_code == 400
    assert response.json() == {"use_case": ["No use case has the slug “nope”."]}
    since = api.get(LIST, {"since": "tomorrow"})
    assert since.status_code == 400
    assert since.json() == {"since": ["Enter a valid date."]}


def test_one_event_by_seq(api, audrey, trail):
    event = AuditEvent.objects.get(verb=Verb.ARTIFACT_UPLOADED)
    api.force_authenticate(audrey)
    response = api.get(f"{LIST}{event.seq}/")
    assert response.status_code == 200
    assert response.json()["changes"] == {"name": "x.pdf"}
    assert api.get(f"{LIST}999999/").status_code == 404


def test_other_role_holders_get_403(api, erin, trail):
    api.force_authenticate(erin)
    response = api.get(LIST)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "The audit trail is open to auditors and administrators; "
        "the events of an approved request are printed in its sign-off packet."
    }


def test_without_a_role_404(api, nobody, trail):
    api.force_authenticate(nobody)
    assert api.get(LIST).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_events_are_read_only(api, audrey, admin_user, trail, method):
    event = AuditEvent.objects.order_by("seq").first()
    before = AuditEvent.objects.filter(verb=Verb.REQUEST_SUBMITTED).count()
    for user in (audrey, admin_user):
        api.force_authenticate(user)
        url = LIST if method == "post" else f"{LIST}{event.seq}/"
        assert getattr(api, method)(url, {"verb": "x"}, format="json").status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
    assert AuditEvent.objects.filter(verb=Verb.REQUEST_SUBMITTED).count() == before


def test_the_list_query_count_is_flat(api, audrey, erin, django_assert_max_num_queries):
    with transaction.atomic():
        for n in range(60):
            audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, changes={"n": n})
    api.force_authenticate(audrey)
    with django_assert_max_num_queries(5):
        assert len(api.get(LIST).json()["results"]) == 50
