"""A security key (WebAuthn) in a real browser: added on the factors page, used at sign-in, removed.

Chromium's virtual authenticator (DevTools protocol) plays the key. WebAuthn refuses an IP address as the
relying party, so the browser opens the live server by the name localhost (still the loopback address).
"""

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from audit.models import AuditEvent
from tests.e2e.conftest import TIMEOUT_MS, VIEWPORT
from tests.factories import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def keyed_page(browser, live_server, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url.replace("127.0.0.1", "localhost")]
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url.replace("127.0.0.1", "localhost"))
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    yield page
    context.close()


def _password(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _fits_and_passes_axe(page: Page) -> list[str]:
    problems = []
    for viewport in (PHONE, VIEWPORT):
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{page.url} is {width} px at {viewport['width']} px")
        problems += [f"{page.url}: {v['id']} {v['help']}" for v in Axe().run(page).response["violations"]]
    return problems


def test_a_security_key_is_added_used_to_sign_in_and_removed(keyed_page, erin, settings):
    settings.SECOND_FACTOR_REQUIRED = "everyone"
    page = keyed_page
    _password(page, "erin")
    expect(page.get_by_text("Your account needs a second factor before you go on.")).to_be_visible()
    page.get_by_role("link", name="add a security key").click()
    expect(page.get_by_role("heading", name="Add a security key")).to_be_visible()
    problems = _fits_and_passes_axe(page)

    page.get_by_label("Name of the key").fill("Laptop passkey")
    page.get_by_role("button", name="Add the key").click()
    expect(page.get_by_text("Added the security key “Laptop passkey”.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes code")).to_have_count(10)
    expect(page.get_by_role("cell", name="Laptop passkey", exact=True)).to_be_visible()
    problems += _fits_and_passes_axe(page)
    key = Authenticator.objects.get(user=erin, type="webauthn")
    assert key.wrap().name == "Laptop passkey"
    assert AuditEvent.objects.get(verb="auth.mfa_key_added").changes == {
        "factor": "webauthn",
        "name": "Laptop passkey",
        "recovery_codes": 10,
    }
    # The setup is done: the rest of the portal is open again.
    page.goto("/use-cases/")
    expect(page.get_by_role("heading", name="Use cases")).to_be_visible()

    page.get_by_role("button", name="Sign out erin").click()
    _password(page, "erin")
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    problems += _fits_and_passes_axe(page)
    page.get_by_role("button", name="Use your security key").click()
    expect(page.get_by_role("button", name="Sign out erin")).to_be_visible()
    assert AuditEvent.objects.get(verb="auth.mfa_verified").changes == {
        "factor": "security key",
        "name": "Laptop passkey",
    }
    key.refresh_from_db()
    assert key.last_used_at is not None

    # Her role needs a factor and this key is her only one: it stays.
    page.goto("/accounts/second-factor/factors/")
    page.get_by_role("button", name="Remove Laptop passkey").click()
    expect(page.get_by_text("Your role needs a second factor, and this is your only one")).to_be_visible()
    assert Authenticator.objects.filter(pk=key.pk).exists()

    settings.SECOND_FACTOR_REQUIRED = "none"
    page.goto("/accounts/second-factor/factors/")
    page.get_by_role("button", name="Remove Laptop passkey").click()
    expect(page.get_by_text("Removed the security key “Laptop passkey”.")).to_be_visible()
    assert not Authenticator.objects.filter(user=erin).exists()
    assert problems == []
