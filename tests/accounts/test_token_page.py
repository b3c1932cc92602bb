"""The API token page: people issue, see and revoke their own tokens; administrators those of their pipelines."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
PAGE = "/accounts/tokens/"
NEW_ACCOUNT = "/accounts/service-accounts/new/"
KEY = re.compile(r"sg_[A-Za-z0-9_-]{43}")


def _issue(client, **fields):
    data = {"name": "release pipeline", "scopes": ["gate", "read"], "expires": "30", **fields}
    return client.post(PAGE, data)


def _api(key: str, path: str = "/api/v1/use-cases/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get(path)


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(client, erin):
    client.force_login(erin)
    now = timezone.now()
    response = _issue(client)
    assert response.status_code == 200
    [key] = KEY.findall(response.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scopes) == (erin, "release pipeline", ["gate", "read"])
    assert token.key_hash == ApiToken.hash_key(key) and token.key_prefix == key[:10]
    assert timedelta(days=30) <= token.expires_at - now < timedelta(days=30, minutes=1)
    event = AuditEvent.objects.get(verb="auth.token_issued")
    assert (event.actor, event.object_id) == (erin, str(erin.pk))
    assert event.changes["scopes"] == ["gate", "read"] and key not in str(event.changes)
    # Shown once: the page lists the token by its prefix only from now on.
    again = client.get(PAGE).content.decode()
    assert KEY.findall(again) == [] and f"{key[:10]}…" in again
    assert _api(key).status_code == 200


def test_the_page_lists_only_your_own_tokens(client, erin, eric):
    ApiToken.objects.create(user=eric, name="eric's laptop", key_hash="e" * 64, key_prefix="sg_ericeri")
    client.force_login(erin)
    page = client.get(PAGE).content.decode()
    assert "No tokens yet." in page and "sg_ericeri" not in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"scopes": []}, "scopes", "Choose at least one thing the token may do."),
        ({"scopes": ["deploy"]}, "scopes", "Select a valid choice. deploy is not one of the available choices."),
        ({"name": ""}, "name", "Name the token, so you recognise it later."),
        ({"expires": "1000"}, "expires", "Select a valid choice. 1000 is not one of the available choices."),
    ],
)
def test_bad_input_is_refused_by_field_and_issues_nothing(client, erin, fields, field, message):
    client.force_login(erin)
    response = _issue(client, **fields)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(verb="auth.token_issued").exists()


def test_revoking_stops_the_token_at_once_and_is_audited(client, erin):
    client.force_login(erin)
    [key] = KEY.findall(_issue(client).content.decode())
    token = ApiToken.objects.get()
    response = client.post(f"{PAGE}{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == PAGE
    token.refresh_from_db()
    refused = _api(key)
    assert refused.status_code == 401
    assert refused.json()["detail"] == f"This token was revoked on {token.revoked_at:%Y-%m-%d %H:%M} UTC."
    event = AuditEvent.objects.get(verb="auth.token_revoked")
    assert (event.actor, event.changes) == (erin, {"token": key[:10], "name": "release pipeline"})
    # A second revocation changes nothing and records nothing.
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.filter(verb="auth.token_revoked").count() == 1


def test_nobody_revokes_someone_elses_token(client, erin, eric, admin_user):
    token = ApiToken.objects.create(user=eric, key_hash="e" * 64, key_prefix="sg_ericeri", scopes=["read"])
    for intruder in (erin, admin_user):
        client.force_login(intruder)
        assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(verb="auth.token_revoked").exists()
    refusals = AuditEvent.objects.filter(verb="access.refused").order_by("seq")
    assert [(e.actor, e.changes["status"]) for e in refusals] == [(erin, 404), (admin_user, 404)]


def test_an_expired_token_is_refused_with_its_date(client, erin):
    client.force_login(erin)
    [key] = KEY.findall(_issue(client, expires="7").content.decode())
    expires_at = ApiToken.objects.get().expires_at
    with time_machine.travel(expires_at + timedelta(seconds=1)):
        response = _api(key)
    assert response.status_code == 401
    assert response.json()["detail"] == f"This token expired on {expires_at:%Y-%m-%d %H:%M} UTC."
    with time_machine.travel(expires_at - timedelta(seconds=5)):
        assert _api(key).status_code == 200


def test_an_administrator_creates_a_service_account_and_issues_its_token(client, admin_user):
    client.force_login(admin_user)
    response = client.post(NEW_ACCOUNT, {"username": "ci-fraud"})
    assert response.status_code == 302
    account = User.objects.get(username="ci-fraud")
    assert account.is_service_account and account.service_account_owner == admin_user
    assert not account.has_usable_password() and account.role_names() == {"engineer"}
    assert AuditEvent.objects.get(verb="account.service_account_created").changes == {
        "username": "ci-fraud",
        "owner": "admin",
    }
    response = _issue(client, holder=str(account.pk), scopes=["gate", "push"], expires="never")
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.scopes, token.expires_at) == (account, ["gate", "push"], None)
    assert "ci-fraud" in client.get(PAGE).content.decode()


def test_a_service_account_is_never_given_the_review_scope(client, admin_user):
    client.force_login(admin_user)
    client.post(NEW_ACCOUNT, {"username": "ci-fraud"})
    account = User.objects.get(username="ci-fraud")
    response = _issue(client, holder=str(account.pk), scopes=["read", "review"])
    assert response.status_code == 400
    assert response.context["form"].errors["scopes"] == ["A service account never reviews: leave out the review scope."]
    assert not ApiToken.objects.exists()


def test_only_administrators_create_service_accounts(client, erin, rita):
    for person in (erin, rita):
        client.force_login(person)
        response = client.post(NEW_ACCOUNT, {"username": "ci-sneaky"})
        assert response.status_code == 403
    assert not User.objects.filter(username="ci-sneaky").exists()
    refusals = AuditEvent.objects.filter(verb="access.refused").order_by("seq")
    assert [(e.actor, e.changes["reason"]) for e in refusals] == [
        (erin, "Only administrators own service accounts."),
        (rita, "Only administrators own service accounts."),
    ]


def test_nobody_issues_a_token_for_an_account_they_do_not_own(client, admin_user, erin):
    other_admin = factories.UserFactory(username="other-admin", roles=["admin"])
    client.force_login(other_admin)
    client.post(NEW_ACCOUNT, {"username": "ci-theirs"})
    account = User.objects.get(username="ci-theirs")
    for person in (erin, admin_user):
        client.force_login(person)
        response = _issue(client, holder=str(account.pk))
        assert response.status_code == 400
        assert not ApiToken.objects.exists()
        # Nor do they see its tokens.
    ApiToken.objects.create(user=account, key_hash="c" * 64, key_prefix="sg_cithei")
    assert "sg_cithei" not in client.get(PAGE).content.decode()
