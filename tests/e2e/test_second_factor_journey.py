"""An administrator's first sign-in where a second factor is required, in a real browser."""

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def test_an_administrator_sets_up_an_authenticator_app_then_signs_in_with_it(new_page, admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = "admins"
    page = sign_in(new_page(), "admin")
    expect(page.get_by_text("Your account needs a second factor before you go on.")).to_be_visible()
    page.goto("/use-cases/")
    expect(page.get_by_role("heading", name="Second factor", exact=True)).to_be_visible()

    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text())
    page.get_by_role("textbox", name="Code").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    recovery = page.locator(".recovery-codes code").first.inner_text()
    page.get_by_role("button", name="Sign out admin").click()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    page.get_by_role("textbox", name="Code").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#id_code_error")).to_contain_text("That code is not right.")
    page.get_by_role("textbox", name="Code").fill(recovery)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("button", name="Sign out admin")).to_be_visible()
