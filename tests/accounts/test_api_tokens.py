import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/v1/use-cases/"


def _issue(username, *args) -> str:
    out = StringIO()
    call_command("issue_token", username, *args, stdout=out)
    return out.getvalue().strip()


def _get(header: str | None):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    return client.get(URL)


def test_issue_token_prints_a_key_and_stores_only_its_hash(erin):
    key = _issue("erin", "--name", "deploy pipeline")
    token = ApiToken.objects.get()
    # "sg_" and 32 random bytes, URL-safe base64 (43 characters).
    assert re.fullmatch(r"sg_[A-Za-z0-9_-]{43}", key)
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert (token.user, token.name, token.key_prefix) == (erin, "deploy pipeline", key[:10])
    event = AuditEvent.objects.get(verb="auth.token_issued")
    assert key not in str(event.changes) and event.changes["token"] == key[:10]


def test_issue_token_refuses_unknown_and_inactive_users(erin):
    with pytest.raises(CommandError, match="No active user"):
        _issue("ghost")
    erin.is_active = False
    erin.save()
    with pytest.raises(CommandError, match="No active user"):
        _issue("erin")
    assert not ApiToken.objects.exists()


def test_valid_token_authenticates_and_records_use(erin, use_case):
    key = _issue("erin")
    response = _get(f"Bearer {key}")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert ApiToken.objects.get().last_used_at is not None
    assert _get(f"bearer {key}").status_code == 200


def test_revoked_token_is_refused(erin):
    key = _issue("erin")
    revoked_at = timezone.now()
    ApiToken.objects.update(revoked_at=revoked_at)
    response = _get(f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["detail"] == f"This token was revoked on {revoked_at:%Y-%m-%d %H:%M} UTC."
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_token_of_a_deactivated_user_is_refused(erin):
    key = _issue("erin")
    erin.is_active = False
    erin.save()
    assert _get(f"Bearer {key}").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer  "])
def test_malformed_header_is_refused(erin, header):
    response = _get(header)
    assert response.status_code == 401


def test_unknown_token_is_refused(erin):
    _issue("erin")
    assert _get("Bearer sg_not-a-real-token").status_code == 401


def test_no_credentials_is_refused():
    response = _get(None)
    # 401 with a challenge: the bearer scheme is the first authentication class, so the client is told how.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_other_schemes_are_not_taken_for_tokens(erin):
    key = _issue("erin")
    response = _get(f"Token {key}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApiToken.objects.get().last_used_at is None


def test_token_cannot_do_more_than_its_user(audrey, use_case):
    key = _issue("audrey")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.patch(f"/api/v1/use-cases/{use_case.slug}/", {"title": "x"}, format="json")
    assert response.status_code == 403
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"
