"""Signing in through the organisation's identity provider, in a real browser, against a real provider process."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.conftest import screenshot
from tests.identity import IDP_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def _sign_in_through_the_provider(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Example Bank").click()
    expect(page.get_by_role("heading", name="Example Bank sign-in")).to_be_visible()
    page.get_by_label("Corporate username").fill(username)
    page.get_by_label("Corporate password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def test_a_risk_lead_signs_in_through_the_provider_and_loses_the_role_with_the_group(new_page, identity_provider):
    identity_provider.people({"rosa": ["risk-leads"]})
    page = new_page()
    page.goto("/accounts/login/")
    screenshot(page, "sign-in-with-provider")
    _sign_in_through_the_provider(page, "rosa")

    expect(page.get_by_role("heading", name="Functions I lead: Risk")).to_be_visible()
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == {"risk"} and rosa.memberships.get().is_lead

    page.get_by_role("button", name="Sign out rosa").click()
    identity_provider.people({"rosa": ["ai-engineers"]})
    _sign_in_through_the_provider(page, "rosa")

    expect(page.get_by_role("heading", name="Functions I lead: Risk")).to_have_count(0)
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == {"engineer"} and not rosa.memberships.exists()
