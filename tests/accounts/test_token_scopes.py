"""A token does what its scopes say, whoever holds it; refused writes change nothing and are audited."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from audit.models import AuditEvent
from lifecycle.models import ModelVersion
from signoff.models import Review, ReviewState
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db
VERSION = {"label": "9.9.9", "provider": "Mistral AI", "model_identifier": "mistral-large", "config_hash": "a" * 64}


def _client(username: str, *args: str) -> APIClient:
    out = StringIO()
    call_command("issue_token", username, *args, stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    return client


def _push_version(client, use_case):
    return client.post(f"/api/v1/use-cases/{use_case.slug}/versions/", VERSION, format="json")


def test_a_gate_token_asks_the_gate_and_nothing_else(erin, use_case):
    client = _client("erin", "--scope", "gate")
    assert client.get(f"/api/v1/use-cases/{use_case.slug}/gate/", {"stage": 1}).status_code == 200
    listed = client.get("/api/v1/use-cases/")
    assert listed.status_code == 403
    assert listed.json()["detail"] == "This token's scopes (gate) do not include read, which this needs."
    pushed = _push_version(client, use_case)
    assert pushed.status_code == 403
    assert pushed.json()["detail"] == "This token's scopes (gate) do not include push, which this needs."
    assert not ModelVersion.objects.filter(label="9.9.9").exists()
    refusal = AuditEvent.objects.get(verb="access.refused")
    assert (refusal.actor, refusal.changes["status"]) == (erin, 403)


def test_a_read_token_reads_but_pushes_nothing(erin, use_case):
    client = _client("erin", "--scope", "read")
    assert client.get("/api/v1/use-cases/").json()["count"] == 1
    assert _push_version(client, use_case).status_code == 403
    assert not ModelVersion.objects.filter(label="9.9.9").exists()


def test_a_push_token_pushes(erin, use_case):
    response = _push_version(_client("erin", "--scope", "push"), use_case)
    assert response.status_code == 201, response.json()
    assert ModelVersion.objects.filter(use_case=use_case, label="9.9.9").exists()


def test_a_pipeline_token_never_decides_a_review_even_a_leads(rita, in_review):
    risk = reviews_by_function(in_review)["risk"]
    # The default scopes are a pipeline's: read, gate, push.
    client = _client("rita")
    for action, body in (("claim", {}), ("decide", {"decision": "approve"})):
        response = client.post(f"/api/v1/reviews/{risk.pk}/{action}/", body, format="json")
        assert response.status_code == 403
        assert "do not include review" in response.json()["detail"]
    risk.refresh_from_db()
    assert (risk.state, risk.assignee) == (ReviewState.UNASSIGNED, None)
    assert AuditEvent.objects.filter(verb="access.refused", actor=rita).count() == 2


def test_a_service_account_token_reads_and_pushes_as_an_engineer(admin_user, use_case):
    client = _client("ci-support", "--service-account", "--owner", "admin", "--scope", "read,push")
    assert client.get("/api/v1/use-cases/").json()["count"] == 1
    # It holds the engineer role, yet owns nothing: the owners' writes stay theirs.
    assert _push_version(client, use_case).status_code == 403
    assert Review.objects.count() == 0
