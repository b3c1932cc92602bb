"""Journeys through the home pages and portfolio insight in a real browser."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifecycle.models import UseCase
from portal import insight
from tests import factories
from tests.e2e.conftest import screenshot, sign_in
from tests.portal.dashboard_data import request_make, review_make, stage_history

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


def test_an_engineer_sees_what_their_use_case_still_needs(page, erin):
    factories.UseCaseFactory(slug="claims-triage", title="Claims triage assistant", technical_owner=erin)

    sign_in(page, "erin")

    expect(page).to_have_title("Home · Stagegate")
    section = page.get_by_role("region", name="My use cases")
    expect(section.get_by_role("link", name="Claims triage assistant")).to_be_visible()
    section.get_by_text("unmet").first.click()
    expect(section.get_by_text("No version recorded")).to_be_visible()


def test_a_reviewer_finds_overdue_work_first_and_the_queue_refreshes_in_place(page, erin, rita):
    late = factories.UseCaseFactory(title="Late loan summariser", technical_owner=erin)
    soon = factories.UseCaseFactory(title="Fresh FAQ bot", technical_owner=erin)
    review_make(request_make(late), "risk", due=timezone.localdate() - timedelta(days=3))
    review_make(request_make(soon), "risk", assignee=rita, due=timezone.localdate() + timedelta(days=4))

    sign_in(page, "rita")

    queue = page.get_by_role("region", name="My review queue")
    rows = queue.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Late loan summariser")
    expect(rows.nth(1)).to_contain_text("overdue")
    expect(rows.nth(2)).to_contain_text("Fresh FAQ bot")
    # htmx swaps the section for the server's fresh copy; the page must not reload.
    page.evaluate("window.__marker = 1")
    with page.expect_response(lambda r: "/home/queue/" in r.url):
        page.evaluate("htmx.ajax('GET', '/home/queue/', {target: '#review-queue-section', swap: 'outerHTML'})")
    expect(page.get_by_role("region", name="My review queue").get_by_role("row").nth(1)).to_contain_text(
        "Late loan summariser"
    )
    assert page.evaluate("window.__marker") == 1


def test_a_lead_sorts_the_workload_without_leaving_the_page(page, erin, rita, ravi):
    for title in ("Alpha", "Beta"):
        review_make(request_make(factories.UseCaseFactory(title=title, technical_owner=erin)), "risk", assignee=ravi)

    sign_in(page, "rita")
    table = page.locator("#workload")
    table.get_by_role("link", name="Open reviews").click()
    expect(page.locator("#workload th[aria-sort='ascending']")).to_have_text("Open reviews")
    page.locator("#workload").get_by_role("link", name="Open reviews").click()
    expect(page.locator("#workload th[aria-sort='descending']")).to_have_text("Open reviews")
    expect(page.locator("#workload tbody tr").first).to_contain_text("Ravi")


def portfolio(erin, rita, carl) -> None:
    """A small portfolio with a history: use cases at every stage, decided reviews, requests waiting."""
    start = timezone.now() - timedelta(days=120)
    titles = ["Claims triage", "Mortgage letters", "Fraud alerts", "KYC summaries", "Call notes", "Policy Q&A"]
    for n, title in enumerate(titles * 2):
        use_case = factories.UseCaseFactory(
            title=f"{title} {n + 1}", technical_owner=erin, created_at=start, stage_entered_at=start
        )
        moves = [(s, s + 1, start + timedelta(days=9 * (s + 1) + n)) for s in range(n % 5)]
        stage_history(use_case, erin, *moves)
        use_case.refresh_from_db()
        if n % 5 < 4:
            request = request_make(use_case, submitted_at=timezone.now() - timedelta(days=n + 1))
            review_make(request, "risk", created_at=start, decided_by=rita, decided_at=start + timedelta(days=2 + n))
            review_make(
                request, "compliance", created_at=start, decided_by=carl, decided_at=start + timedelta(days=1 + n % 3)
            )


def test_anyone_with_a_role_reads_the_portfolio_and_downloads_the_inventory(page, erin, rita, carl, audrey):
    factories.UseCaseFactory(slug="claims-triage", title="Claims triage assistant", technical_owner=erin)
    request_make(factories.UseCaseFactory(title="Mortgage letters", technical_owner=erin))
    portfolio(erin, rita, carl)

    sign_in(page, "audrey")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insight").click()

    expect(page).to_have_title("Portfolio insight · Stagegate")
    expect(page.get_by_role("img", name="Use cases per stage")).to_be_visible()
    expect(page.get_by_role("region", name="Requests waiting longest")).to_contain_text("Mortgage letters")
    screenshot(page, "insight")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the inventory (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8"))))
    assert list(rows[0]) == insight.INVENTORY_COLUMNS
    assert sorted(r["slug"] for r in rows) == sorted(UseCase.objects.values_list("slug", flat=True))


def test_keyboard_users_can_skip_to_the_content(page, erin):
    sign_in(page, "erin")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
