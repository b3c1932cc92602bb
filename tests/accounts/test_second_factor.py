"""Second factors for local accounts: required for administrators, asked for at sign-in, refused and audited."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator

from accounts.services.mfa import second_factor_activate
from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
VERIFY = "/accounts/second-factor/"
SETUP = "/accounts/second-factor/setup/"


@pytest.fixture
def admins_need_it(settings):
    settings.SECOND_FACTOR_REQUIRED = "admins"


def _with_app(user) -> pyotp.TOTP:
    totp = pyotp.TOTP(pyotp.random_base32())
    second_factor_activate(user=user, secret=totp.secret, code=totp.now())
    return totp


def _password(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_an_administrator_without_a_second_factor_is_sent_to_set_one_up(client, admin_user, admins_need_it):
    response = _password(client, "admin")
    assert response.status_code == 302 and response["Location"] == SETUP
    # Nothing else until it is done: not the pages, not the API.
    assert client.get("/use-cases/")["Location"] == SETUP
    assert client.get("/api/v1/use-cases/").status_code == 403
    page = client.get(SETUP)
    assert page.status_code == 200 and "Your account needs a second factor before you go on." in page.content.decode()
    totp = pyotp.TOTP(page.context["secret"])

    wrong = client.post(SETUP, {"code": "000000" if totp.now() != "000000" else "111111"})
    assert wrong.status_code == 400 and wrong.context["form"].errors["code"]
    assert not Authenticator.objects.exists()

    done = client.post(SETUP, {"code": totp.now()})
    assert done.status_code == 200
    assert len(done.context["recovery_codes"]) == 10
    assert set(Authenticator.objects.filter(user=admin_user).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    assert AuditEvent.objects.get(verb="auth.mfa_enabled").actor == admin_user
    assert client.get("/use-cases/").status_code == 200


def test_others_are_not_asked_unless_everyone_must(client, erin, admins_need_it, settings):
    assert _password(client, "erin")["Location"] == "/"
    client.logout()
    settings.SECOND_FACTOR_REQUIRED = "everyone"
    assert _password(client, "erin")["Location"] == SETUP


def test_the_demo_default_asks_nobody(client, admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = "none"
    assert _password(client, "admin")["Location"] == "/"


def test_a_wrong_code_is_refused_and_audited_and_the_right_one_signs_in(client, admin_user, admins_need_it):
    totp = _with_app(admin_user)
    response = _password(client, "admin")
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session

    wrong = client.post(VERIFY, {"code": "12345"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.get(verb="auth.login_failed")
    assert failed.actor is None and failed.changes == {"username": "admin", "reason": "wrong second-factor code"}
    assert not AuditEvent.objects.filter(verb="auth.login").exists()

    right = client.post(VERIFY, {"code": totp.now()})
    assert right.status_code == 302 and right["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == admin_user.pk
    assert AuditEvent.objects.get(verb="auth.mfa_verified").changes == {"factor": "totp"}
    assert AuditEvent.objects.get(verb="auth.login").actor == admin_user
    assert client.get("/use-cases/").status_code == 200


def test_a_code_works_once(client, erin):
    totp = _with_app(erin)
    code = totp.now()
    _password(client, "erin")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    _password(client, "erin")
    assert client.post(VERIFY, {"code": code}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_stands_in_once(client, erin):
    _with_app(erin)
    recovery = Authenticator.objects.get(user=erin, type="recovery_codes").wrap().generate_codes()[3]
    _password(client, "erin")
    assert client.post(VERIFY, {"code": recovery})["Location"] == "/"
    assert AuditEvent.objects.get(verb="auth.mfa_verified").changes == {"factor": "recovery code"}
    client.logout()
    _password(client, "erin")
    assert client.post(VERIFY, {"code": recovery}).status_code == 400


def test_too_many_wrong_codes_end_the_attempt(client, erin):
    _with_app(erin)
    _password(client, "erin")
    for _ in range(4):
        assert client.post(VERIFY, {"code": "99999999"}).status_code == 400
    last = client.post(VERIFY, {"code": "99999999"})
    assert last.status_code == 302 and last["Location"] == LOGIN
    assert client.get(VERIFY)["Location"] == LOGIN
    assert AuditEvent.objects.filter(verb="auth.login_failed").count() == 5


def test_the_code_page_without_a_password_first_goes_to_sign_in(client, erin):
    _with_app(erin)
    assert client.post(VERIFY, {"code": "123456"})["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_someone_with_an_app_cannot_set_up_another(client, erin):
    _with_app(erin)
    client.force_login(erin)
    page = client.get(SETUP)
    assert page.status_code == 200 and page.context["done"] is True
    assert Authenticator.objects.filter(user=erin, type="totp").count() == 1


def test_a_code_typed_as_the_app_turns_over_still_counts_but_an_older_one_does_not(client, erin, time_machine):
    # The app showed a code in one 30-second step; the portal reads it in the next.
    time_machine.move_to(_at(29), tick=False)
    totp = pyotp.TOTP(pyotp.random_base32())
    shown = totp.now()
    time_machine.move_to(_at(31), tick=False)
    assert totp.now() != shown
    second_factor_activate(user=erin, secret=totp.secret, code=shown)
    assert Authenticator.objects.filter(user=erin, type="totp").exists()

    shown_at_sign_in = totp.now()
    time_machine.move_to(_at(61), tick=False)
    _password(client, "erin")
    assert client.post(VERIFY, {"code": shown_at_sign_in})["Location"] == "/"
    client.logout()

    two_steps_old = totp.at(_at(31))
    time_machine.move_to(_at(91), tick=False)
    _password(client, "erin")
    assert client.post(VERIFY, {"code": two_steps_old}).status_code == 400
    assert "_auth_user_id" not in client.session


def _at(second: int) -> datetime:
    return datetime(2026, 12, 2, 10, 0, tzinfo=UTC) + timedelta(seconds=second)
