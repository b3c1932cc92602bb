"""One's own second factors page: what one has, new recovery codes, replacing and removing the app, keys."""

import json
from datetime import UTC, datetime

import pyotp
import pytest
from allauth.mfa.models import Authenticator

from accounts.services.mfa import second_factor_activate
from audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.soft_key import SoftKey

pytestmark = pytest.mark.django_db
FACTORS = "/accounts/second-factor/factors/"
CODES = "/accounts/second-factor/recovery-codes/"
REMOVE = "/accounts/second-factor/app/remove/"
REPLACE = "/accounts/second-factor/app/replace/"
VERIFY = "/accounts/second-factor/"
ADD_KEY = "/accounts/second-factor/keys/add/"


def _with_app(user) -> tuple[pyotp.TOTP, list[str]]:
    totp = pyotp.TOTP(pyotp.random_base32())
    codes = second_factor_activate(user=user, secret=totp.secret, code=totp.now())
    return totp, codes


def _wrong(totp: pyotp.TOTP) -> str:
    return "000000" if totp.now() != "000000" else "111111"


@pytest.fixture(autouse=True)
def at_localhost(client):
    # WebAuthn's relying party is the host asked for, and it must not be an IP address.
    client.defaults["HTTP_HOST"] = "localhost"


def _key(client, user, name: str) -> tuple[Authenticator, SoftKey]:
    """A security key registered as the browser does it: the page's options, the key's answer, posted back."""
    key = SoftKey()
    client.force_login(user)
    options = client.get(ADD_KEY).context["options"]
    response = client.post(ADD_KEY, {"name": name, "credential": json.dumps(key.register(options))})
    assert response.status_code < 400, response.content
    return Authenticator.objects.get(user=user, type="webauthn", data__name=name), key


def _sign_in_code(client, username: str, code: str):
    client.logout()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return client.post(VERIFY, {"code": code})


def test_the_page_shows_the_app_and_the_recovery_codes_left(client, erin):
    _, codes = _with_app(erin)
    client.force_login(erin)
    assert _sign_in_code(client, "erin", codes[0])["Location"] == "/"
    page = client.get(FACTORS)
    assert page.status_code == 200
    body = page.content.decode()
    assert page.context["app"].type == "totp"
    assert page.context["codes_left"] == 9
    assert "9 of 10 left." in body
    assert "Remove the app" in body and "Replace it with a new app" in body


def test_the_footer_links_here(client, erin):
    client.force_login(erin)
    assert f'href="{FACTORS}">Second factor</a>' in client.get("/").content.decode()


def test_without_a_factor_the_page_offers_to_set_one_up(client, erin):
    client.force_login(erin)
    page = client.get(FACTORS)
    body = page.content.decode()
    assert page.context["app"] is None and page.context["codes_left"] is None
    assert "Set up an authenticator app" in body
    assert client.post(CODES).status_code == 400
    assert not Authenticator.objects.filter(user=erin).exists()


def test_new_recovery_codes_are_shown_once_and_the_old_ones_stop_working(client, erin):
    _, old = _with_app(erin)
    client.force_login(erin)
    response = client.post(CODES)
    assert response.status_code == 200
    new = response.context["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert client.get(FACTORS).context["recovery_codes"] is None
    assert AuditEvent.objects.get(verb="auth.mfa_recovery_codes_regenerated").actor == erin

    assert _sign_in_code(client, "erin", old[0]).status_code == 400
    assert _sign_in_code(client, "erin", new[0])["Location"] == "/"


def test_removing_the_app_asks_for_a_current_code(client, erin):
    totp, _ = _with_app(erin)
    client.force_login(erin)
    wrong = client.post(REMOVE, {"code": _wrong(totp)})
    assert wrong.status_code == 400
    assert wrong.context["remove_form"].errors["code"] == [
        "That code is not right. Type the newest code from your app, or a recovery code."
    ]
    empty = client.post(REMOVE, {"code": ""})
    assert empty.status_code == 400
    assert Authenticator.objects.filter(user=erin).count() == 2
    assert not AuditEvent.objects.filter(verb="auth.mfa_removed").exists()

    right = client.post(REMOVE, {"code": totp.now()})
    assert right.status_code == 302 and right["Location"] == FACTORS
    # With no factor left, the recovery codes have nothing to stand in for.
    assert not Authenticator.objects.filter(user=erin).exists()
    event = AuditEvent.objects.get(verb="auth.mfa_removed")
    assert event.actor == erin
    assert event.changes == {"factor": "totp", "confirmed_with": "totp", "recovery_codes_removed": True}
    client.logout()
    assert client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})["Location"] == "/"


def test_a_recovery_code_confirms_the_removal_of_a_lost_app(client, erin):
    _, codes = _with_app(erin)
    client.force_login(erin)
    assert client.post(REMOVE, {"code": codes[5]}).status_code == 302
    assert AuditEvent.objects.get(verb="auth.mfa_removed").changes["confirmed_with"] == "recovery code"


def test_whose_role_needs_a_factor_cannot_remove_the_only_one(client, admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = "admins"
    totp, _ = _with_app(admin_user)
    client.force_login(admin_user)
    response = client.post(REMOVE, {"code": totp.now()})
    assert response.status_code == 400
    assert response.context["remove_form"].non_field_errors() == [
        "Your role needs a second factor, and this is your only one: add a security key first, "
        "or replace the authenticator app with a new one."
    ]
    assert Authenticator.objects.filter(user=admin_user, type="totp").exists()
    assert not AuditEvent.objects.filter(verb="auth.mfa_removed").exists()

    # With a security key as well, the app may go; the recovery codes stay for the key.
    _key(client, admin_user, "Keyring")
    assert client.post(REMOVE, {"code": totp.now()}).status_code == 302
    assert set(Authenticator.objects.filter(user=admin_user).values_list("type", flat=True)) == {
        "webauthn",
        "recovery_codes",
    }


def test_the_app_is_replaced_in_one_step(client, erin):
    old, codes = _with_app(erin)
    old_app = Authenticator.objects.get(user=erin, type="totp")
    client.force_login(erin)
    page = client.get(REPLACE)
    assert page.status_code == 200
    new = pyotp.TOTP(page.context["secret"])

    wrong_current = client.post(REPLACE, {"current_code": _wrong(old), "code": new.now()})
    assert wrong_current.status_code == 400 and wrong_current.context["form"].errors["current_code"]
    wrong_new = client.post(REPLACE, {"current_code": old.now(), "code": _wrong(new)})
    assert wrong_new.status_code == 400 and wrong_new.context["form"].errors["code"]
    assert Authenticator.objects.get(user=erin, type="totp").pk == old_app.pk

    done = client.post(REPLACE, {"current_code": old.now(), "code": new.now()})
    assert done.status_code == 302 and done["Location"] == FACTORS
    app = Authenticator.objects.get(user=erin, type="totp")
    assert app.pk != old_app.pk
    assert AuditEvent.objects.get(verb="auth.mfa_replaced").changes == {"factor": "totp", "confirmed_with": "totp"}
    # The recovery codes are the same ones: replacing the app does not take them away.
    assert len(Authenticator.objects.get(user=erin, type="recovery_codes").wrap().get_unused_codes()) == 10
    assert codes[0] in Authenticator.objects.get(user=erin, type="recovery_codes").wrap().get_unused_codes()


def test_the_old_app_stops_working_once_replaced(client, erin, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 10, 0, 5, tzinfo=UTC), tick=False)
    old, _ = _with_app(erin)
    client.force_login(erin)
    new = pyotp.TOTP(client.get(REPLACE).context["secret"])
    assert client.post(REPLACE, {"current_code": old.now(), "code": new.now()}).status_code == 302
    time_machine.shift(90)
    while old.now() == new.now():
        time_machine.shift(30)
    assert _sign_in_code(client, "erin", old.now()).status_code == 400
    assert _sign_in_code(client, "erin", new.now())["Location"] == "/"


def test_replacing_without_an_app_is_setting_one_up(client, erin):
    client.force_login(erin)
    assert client.get(REPLACE)["Location"] == "/accounts/second-factor/setup/"


def test_a_key_is_removed_and_audited(client, erin):
    _with_app(erin)
    key, _ = _key(client, erin, "Keyring")
    response = client.post(f"/accounts/second-factor/keys/{key.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == FACTORS
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert AuditEvent.objects.get(verb="auth.mfa_removed").changes == {
        "factor": "webauthn",
        "name": "Keyring",
        "recovery_codes_removed": False,
    }


def test_the_only_key_of_whose_role_needs_one_stays(client, admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = "admins"
    key, _ = _key(client, admin_user, "Keyring")
    response = client.post(f"/accounts/second-factor/keys/{key.pk}/remove/")
    assert response.status_code == 400
    assert "Your role needs a second factor, and this is your only one" in response.content.decode()
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_someone_elses_key_does_not_exist_for_you(client, erin, eric):
    key, _ = _key(client, erin, "Keyring")
    client.force_login(eric)
    assert client.post(f"/accounts/second-factor/keys/{key.pk}/remove/").status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()
    refused = AuditEvent.objects.get(verb="access.refused")
    assert refused.actor == eric
    assert not AuditEvent.objects.filter(verb="auth.mfa_removed").exists()


def test_the_pages_act_on_the_signed_in_person_only(client, erin, eric):
    _, erin_codes = _with_app(erin)
    _with_app(eric)
    client.force_login(eric)
    # Erin's own codes mean nothing on Eric's page: there is no way to name her factors from here.
    assert client.post(REMOVE, {"code": erin_codes[0]}).status_code == 400
    client.post(CODES)
    assert Authenticator.objects.filter(user=erin).count() == 2
    assert erin_codes[0] in Authenticator.objects.get(user=erin, type="recovery_codes").wrap().get_unused_codes()
    assert {e.actor for e in AuditEvent.objects.filter(verb__startswith="auth.mfa_recovery")} == {eric}


def test_the_pages_need_sign_in(client, erin):
    _with_app(erin)
    for url in (FACTORS, REPLACE, "/accounts/second-factor/keys/add/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url in (CODES, REMOVE):
        assert client.post(url, {"code": "123456"}).status_code == 302
    assert Authenticator.objects.filter(user=erin).count() == 2


def test_a_required_setup_may_use_the_factors_page_but_nothing_else(client, admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = "admins"
    client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert client.get(FACTORS).status_code == 200
    assert client.get("/accounts/second-factor/keys/add/").status_code == 200
    assert client.get("/accounts/tokens/")["Location"] == "/accounts/second-factor/setup/"


@pytest.mark.parametrize("credential", ["", "not json", "[]", '{"id": "x", "response": {}}'])
def test_a_key_the_browser_did_not_make_for_this_page_is_not_added(client, erin, credential):
    client.force_login(erin)
    assert client.get("/accounts/second-factor/keys/add/").status_code == 200
    response = client.post("/accounts/second-factor/keys/add/", {"name": "Keyring", "credential": credential})
    assert response.status_code == 400
    expected = (
        "Your browser sent no key: press the button and touch your key when asked."
        if not credential
        else "That security key did not answer as expected: try again, or use a code."
    )
    assert response.context["form"].non_field_errors() == [expected]
    assert not Authenticator.objects.filter(user=erin).exists()
    assert not AuditEvent.objects.filter(verb="auth.mfa_key_added").exists()


def test_a_key_needs_a_name(client, erin):
    client.force_login(erin)
    response = client.post("/accounts/second-factor/keys/add/", {"name": " ", "credential": "{}"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Give the key a name."]
    assert not Authenticator.objects.filter(user=erin).exists()


def test_a_forged_key_answer_at_sign_in_is_refused_and_audited(client, erin):
    _key(client, erin, "Keyring")
    client.logout()
    before = AuditEvent.objects.latest("pk").pk
    client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert page.context["key_options"]["publicKey"]["challenge"]
    response = client.post(VERIFY, {"credential": '{"id": "AAAA", "type": "public-key", "response": {}}'})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.actor is None and failed.changes == {"username": "erin", "reason": "security key not accepted"}
    assert not AuditEvent.objects.filter(pk__gt=before, verb__in=["auth.mfa_verified", "auth.login"]).exists()


def _to_verify(client, username: str) -> dict:
    client.logout()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return client.get(VERIFY).context["key_options"]


def test_a_key_signs_in_once_per_challenge(client, erin):
    stored, key = _key(client, erin, "Keyring")
    assert AuditEvent.objects.get(verb="auth.mfa_key_added").changes == {
        "factor": "webauthn",
        "name": "Keyring",
        "recovery_codes": 10,
    }
    answer = key.sign(_to_verify(client, "erin"))
    response = client.post(VERIFY, {"credential": json.dumps(answer)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == erin.pk
    assert AuditEvent.objects.get(verb="auth.mfa_verified").changes == {"factor": "security key", "name": "Keyring"}
    stored.refresh_from_db()
    assert stored.last_used_at is not None

    # The same answer again, to a new sign-in's challenge, is not accepted.
    _to_verify(client, "erin")
    assert client.post(VERIFY, {"credential": json.dumps(answer)}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_someone_elses_key_does_not_sign_you_in(client, erin, eric):
    _key(client, erin, "Erin's key")
    _, erics = _key(client, eric, "Eric's key")
    answer = erics.sign(_to_verify(client, "erin"))
    response = client.post(VERIFY, {"credential": json.dumps(answer)})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(verb="auth.login_failed").changes == {
        "username": "erin",
        "reason": "security key not accepted",
    }


def test_a_key_answer_for_another_page_is_not_added(client, erin):
    key = SoftKey()
    client.force_login(erin)
    stale = client.get(ADD_KEY).context["options"]
    client.get(ADD_KEY)
    response = client.post(ADD_KEY, {"name": "Keyring", "credential": json.dumps(key.register(stale))})
    assert response.status_code == 400
    assert not Authenticator.objects.filter(user=erin).exists()


def test_whoever_has_only_a_key_may_sign_in_with_a_recovery_code(client, erin):
    _key(client, erin, "Keyring")
    codes = Authenticator.objects.get(user=erin, type="recovery_codes").wrap().generate_codes()
    _to_verify(client, "erin")
    page = client.get(VERIFY).content.decode()
    assert "Lost your key? Type one of your recovery codes." in page and "Open your authenticator app" not in page
    response = client.post(VERIFY, {"code": codes[2]})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == erin.pk
