"""Signing in through the organisation's identity provider: a real OpenID Connect provider in its own process."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from accounts.models import FunctionMembership, User
from audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.identity import IDP_PASSWORD

pytestmark = pytest.mark.django_db
START = "/accounts/oidc/sso/login/"


def _sign_in(client, idp, username: str, password: str = IDP_PASSWORD):
    """The browser's part: to the provider, its form, back to the portal's callback. Returns the last answer."""
    to_provider = client.post(START)
    assert to_provider.status_code == 302 and to_provider["Location"].startswith(f"{idp.issuer}/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(to_provider["Location"]).query).items()}
    answer = requests.post(
        f"{idp.issuer}/authorize",
        data={**params, "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def _functions(user) -> list[tuple[str, bool]]:
    return sorted(FunctionMembership.objects.filter(user=user).values_list("function__key", "is_lead"))


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, settings):
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_the_sign_in_page_offers_the_provider_when_configured(client, identity_provider):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Example Bank" in page and 'action="/accounts/oidc/sso/login/"' in page
    assert "Or with a local account" in page


def test_a_risk_lead_is_created_at_first_sign_in_with_what_the_groups_give(client, identity_provider):
    identity_provider.people({"rosa": ["risk-leads", "staff-canteen"]})
    response = _sign_in(client, identity_provider, "rosa")
    assert response.status_code == 302 and response["Location"] == "/"
    rosa = User.objects.get(username="rosa")
    assert int(client.session["_auth_user_id"]) == rosa.pk
    assert rosa.role_names() == {"risk"} and _functions(rosa) == [("risk", True)]
    assert not rosa.has_usable_password() and not rosa.is_staff and not rosa.is_superuser
    assert rosa.email == "rosa@idp.example"
    synced = AuditEvent.objects.get(verb="account.roles_synced")
    assert synced.actor_label == "identity provider"
    assert synced.changes["groups"] == ["risk-leads", "staff-canteen"]
    assert synced.changes["after"]["roles"] == ["risk"] and synced.changes["after"]["functions"] == ["risk (lead)"]
    login = AuditEvent.objects.get(verb="auth.login")
    assert login.actor == rosa and login.seq > synced.seq


def test_a_group_removed_at_the_provider_is_a_role_removed_at_the_next_sign_in(client, identity_provider):
    identity_provider.people({"rosa": ["risk-leads", "auditors"]})
    _sign_in(client, identity_provider, "rosa")
    client.logout()
    identity_provider.people({"rosa": ["risk-reviewers"]})
    _sign_in(client, identity_provider, "rosa")
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == {"risk"} and _functions(rosa) == [("risk", False)]
    client.logout()
    identity_provider.people({"rosa": []})
    assert _sign_in(client, identity_provider, "rosa").status_code == 302
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == set() and _functions(rosa) == []
    assert User.objects.filter(username__startswith="rosa").count() == 1
    assert AuditEvent.objects.filter(verb="account.roles_synced").count() == 3


def test_nothing_is_kept_that_the_mapping_does_not_give(client, identity_provider, rita):
    identity_provider.people({"rosa": ["ai-engineers"]})
    _sign_in(client, identity_provider, "rosa")
    rosa = User.objects.get(username="rosa")
    # Given by hand here, between two sign-ins: the provider's groups decide again at the next one.
    rosa.groups.add(rita.groups.get())
    FunctionMembership.objects.create(user=rosa, function=rita.memberships.get().function, is_lead=True)
    User.objects.filter(pk=rosa.pk).update(is_superuser=True, is_staff=True)
    client.logout()
    _sign_in(client, identity_provider, "rosa")
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == {"engineer"} and _functions(rosa) == []
    assert (rosa.is_staff, rosa.is_superuser) == (False, False)


def test_the_administrators_group_gives_the_admin_site_and_its_removal_takes_it(client, identity_provider):
    identity_provider.people({"ada": ["stagegate-admins"]})
    _sign_in(client, identity_provider, "ada")
    assert client.get("/admin/").status_code == 200
    client.logout()
    identity_provider.people({"ada": ["ai-engineers"]})
    _sign_in(client, identity_provider, "ada")
    ada = User.objects.get(username="ada")
    assert (ada.is_staff, ada.is_superuser, ada.role_names()) == (False, False, {"engineer"})
    assert client.get("/admin/").status_code == 302


def test_a_local_account_with_the_same_name_is_not_taken_over(client, identity_provider, erin):
    identity_provider.people({"erin": ["stagegate-admins"]})
    _sign_in(client, identity_provider, "erin")
    erin.refresh_from_db()
    assert erin.role_names() == {"engineer"} and not erin.is_superuser
    newcomer = User.objects.get(pk=int(client.session["_auth_user_id"]))
    assert newcomer != erin and newcomer.username != "erin" and newcomer.role_names() == {"admin"}


def test_a_deactivated_account_is_refused_and_the_refusal_audited(client, identity_provider):
    identity_provider.people({"rosa": ["risk-leads"]})
    _sign_in(client, identity_provider, "rosa")
    client.logout()
    User.objects.filter(username="rosa").update(is_active=False)
    response = _sign_in(client, identity_provider, "rosa")
    assert response.status_code == 403
    assert "Your Stagegate account is deactivated." in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.changes == {"username": "rosa", "via": "identity provider", "reason": "deactivated"}
    # Nor did the refused sign-in change anything it would have applied.
    assert User.objects.get(username="rosa").role_names() == {"risk"}


@pytest.mark.parametrize(
    "query",
    [
        {"error": "access_denied", "state": "x"},
        {"code": "forged", "state": "not-ours"},
        {},
        {"code": "x" * 5000, "state": "ä"},
    ],
)
def test_a_callback_that_is_not_a_completed_sign_in_is_refused_and_audited(client, identity_provider, query):
    response = client.get("/accounts/oidc/sso/login/callback/", query)
    assert response.status_code in (400, 401)
    assert "_auth_user_id" not in client.session
    if response.status_code == 401:
        assert AuditEvent.objects.get(verb="auth.login_failed").changes["via"] == "identity provider"
    assert not User.objects.exclude(username="admin").filter(socialaccount__isnull=False).exists()


def test_a_forged_code_is_refused(client, identity_provider):
    identity_provider.people({"rosa": ["risk-leads"]})
    start = client.post(START)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get("/accounts/oidc/sso/login/callback/", {"code": "made-up", "state": state})
    assert response.status_code == 401
    assert not User.objects.filter(username="rosa").exists()
    assert AuditEvent.objects.get(verb="auth.login_failed").actor_label == "(unknown)"


def test_the_provider_is_not_offered_when_not_configured(client):
    assert client.post(START).status_code == 404


def test_local_accounts_still_sign_in_beside_the_provider(client, identity_provider, erin):
    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == erin.pk


def test_an_account_provisioned_over_scim_is_the_one_signed_in_to(client, identity_provider):
    provisioned = User(username="rosa", scim_username="rosa", email="rosa@bank.example")
    provisioned.set_unusable_password()
    provisioned.save()
    identity_provider.people({"rosa": ["risk-reviewers"]})
    assert _sign_in(client, identity_provider, "rosa").status_code == 302
    assert int(client.session["_auth_user_id"]) == provisioned.pk
    assert User.objects.filter(username__startswith="rosa").count() == 1
    assert provisioned.role_names() == {"risk"} and _functions(provisioned) == [("risk", False)]
    client.logout()
    User.objects.filter(pk=provisioned.pk).update(is_active=False)
    assert _sign_in(client, identity_provider, "rosa").status_code == 403
