"""Conditions of approval on their page, the owner's home page and over the API."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import Verb
from signoff import services
from signoff.models import Decision, ReviewCondition
from tests.signoff.helpers import decide, reviews_by_function

pytestmark = pytest.mark.django_db
Status = ReviewCondition.Status
TODAY = date(2027, 3, 1)


@pytest.fixture
def condition(in_review, bob, rita, carl, lena):
    with time_machine.travel(TODAY, tick=False):
        reviews = reviews_by_function(in_review)
        decide(reviews["risk"], rita)
        condition = services.ConditionInput("Publish the model card", bob, TODAY + timedelta(days=20))
        decide(reviews["compliance"], carl, Decision.APPROVE_WITH_CONDITIONS, "If published.", [condition])
        decide(reviews["legal"], lena)
    return ReviewCondition.objects.get()


def _token_client(user, *scopes: str) -> APIClient:
    out = StringIO()
    call_command("issue_token", user.username, *[arg for s in scopes for arg in ("--scope", s)], stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    return client


def test_the_owner_sees_it_on_her_home_page_and_marks_it_met_with_a_file(client, condition, bob):
    client.force_login(bob)
    home = client.get("/").content.decode()
    assert "My conditions" in home
    assert f"/signoff/conditions/{condition.pk}/" in home
    page = client.get(f"/signoff/conditions/{condition.pk}/").content.decode()
    assert "Mark it met" in page
    response = client.post(
        f"/signoff/conditions/{condition.pk}/met/",
        {"note": "Published on the intranet.", "file": SimpleUploadedFile("card.md", b"# Model card\n")},
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert (condition.status, condition.evidence_name) == (Status.MARKED_MET, "card.md")
    download = client.get(f"/signoff/conditions/{condition.pk}/evidence/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"# Model card\n"
    assert AuditEvent.objects.filter(verb=Verb.ARTIFACT_DOWNLOADED, object_id=str(condition.pk)).count() == 1


def test_a_compliance_member_accepts_on_the_page_and_it_leaves_the_home_page(client, condition, bob, cora):
    services.condition_mark_met(condition=condition, actor=bob, note="Done.")
    client.force_login(cora)
    assert "Accept or return the evidence" in client.get(f"/signoff/conditions/{condition.pk}/").content.decode()
    assert client.post(f"/signoff/conditions/{condition.pk}/accept/", {"note": "Fine."}).status_code == 302
    condition.refresh_from_db()
    assert condition.status == Status.MET
    client.force_login(bob)
    assert "My conditions" not in client.get("/").content.decode()


def test_a_waiver_without_a_reason_is_400_on_the_page_and_changes_nothing(client, condition, carl):
    client.force_login(carl)
    response = client.post(f"/signoff/conditions/{condition.pk}/waive/", {"reason": " "})
    assert response.status_code == 400
    assert "Say why the condition is waived" in response.content.decode()
    condition.refresh_from_db()
    assert condition.status == Status.OPEN


def test_a_stranger_posting_is_403_audited_and_nothing_changes(client, condition, eric):
    client.force_login(eric)
    response = client.post(f"/signoff/conditions/{condition.pk}/met/", {"note": "Done."})
    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.status == Status.OPEN
    refused = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).get()
    assert refused.object_id == str(condition.pk)


def test_api_mine_then_mark_met_then_accept(condition, bob, cora):
    owner = APIClient()
    owner.force_authenticate(bob)
    listed = owner.get("/api/v1/conditions/", {"scope": "mine"}).json()
    assert [c["id"] for c in listed["results"]] == [condition.pk]
    assert listed["results"][0]["actions"] == ["mark_met"]
    body = owner.post(f"/api/v1/conditions/{condition.pk}/mark-met/", {"note": "Published."}, format="json").json()
    assert (body["status"], body["evidence_note"], body["evidence_file"]) == ("marked_met", "Published.", None)
    judge = APIClient()
    judge.force_authenticate(cora)
    body = judge.post(f"/api/v1/conditions/{condition.pk}/accept/", {}, format="json").json()
    assert (body["status"], body["closed_by"]) == ("met", "cora")
    assert owner.get("/api/v1/conditions/", {"scope": "mine"}).json()["results"] == []


def test_api_refuses_a_pipeline_token_judging_a_condition(condition, bob, cora):
    services.condition_mark_met(condition=condition, actor=bob, note="Done.")
    response = _token_client(cora, "push").post(f"/api/v1/conditions/{condition.pk}/accept/", {}, format="json")
    assert response.status_code == 403
    assert "review scope" in response.json()["detail"]
    condition.refresh_from_db()
    assert condition.status == Status.MARKED_MET


def test_api_waive_needs_a_reason_by_field(condition, carl):
    client = APIClient()
    client.force_authenticate(carl)
    response = client.post(f"/api/v1/conditions/{condition.pk}/waive/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
