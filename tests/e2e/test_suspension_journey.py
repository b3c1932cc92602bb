"""The second line's view of a suspended use case, in a real browser: suspend, see it said first, lift."""

import datetime

from playwright.sync_api import expect

from governance.services import finding_raise
from tests.e2e.conftest import screenshot, sign_in
from tests.governance.running import running_at_stage_1


def _gate_allows(page, slug: str) -> bool:
    return page.request.get(f"/api/v1/use-cases/{slug}/gate/?stage=1").json()["allowed"]


def test_the_risk_lead_suspends_a_use_case_a_reviewer_sees_it_and_only_the_lead_lifts_it(
    new_page, use_case, erin, rita, ravi
):
    running = running_at_stage_1(use_case, erin)
    finding_raise(
        use_case=running,
        actor=ravi,
        source="monitoring",
        severity="critical",
        title="Summaries leak account numbers",
        description="",
        due_date=datetime.date.today() - datetime.timedelta(days=2),
    )

    lead = sign_in(new_page(), "rita")
    lead.goto(running.get_absolute_url())
    expect(lead.get_by_role("heading", name="Findings")).to_be_visible()
    expect(
        lead.get_by_role("link", name=f"#{running.findings.get().pk} Summaries leak account numbers")
    ).to_be_visible()
    lead.get_by_role("button", name="Suspend").click()
    expect(lead.get_by_role("heading", name=f"Suspend {running.title}")).to_be_visible()
    lead.get_by_role("button", name="Suspend this use case").click()
    expect(lead.locator("#id_reason_error")).to_have_text("This field is required.")  # no reason, no suspension
    lead.get_by_label("Reason").fill("Account numbers in summaries: stop until redaction is proven")
    lead.get_by_role("button", name="Suspend this use case").click()

    banner = lead.get_by_role("status").filter(has=lead.get_by_role("heading", name="Suspended"))
    expect(banner).to_contain_text("Account numbers in summaries: stop until redaction is proven")
    expect(banner.get_by_role("button", name="Lift the suspension")).to_be_visible()
    assert _gate_allows(lead, running.slug) is False
    screenshot(lead, "suspended-use-case")

    lead.goto("/")
    chase = lead.get_by_role("region", name="Remediation to chase")
    expect(chase.get_by_role("link", name=running.title).first).to_be_visible()
    expect(chase.get_by_text("Summaries leak account numbers")).to_be_visible()

    reviewer = sign_in(new_page(), "ravi")
    reviewer.goto(running.get_absolute_url())
    expect(reviewer.get_by_role("heading", name="Suspended")).to_be_visible()
    expect(reviewer.get_by_role("button", name="Lift the suspension")).to_have_count(0)
    expect(reviewer.get_by_role("button", name="Suspend")).to_have_count(0)

    lead.goto(running.get_absolute_url())
    lead.get_by_role("button", name="Lift the suspension").click()
    lead.get_by_label("Reason").fill("Redaction filter validated by compliance")
    lead.get_by_role("button", name="Lift the suspension of this use case").click()
    expect(lead.get_by_role("heading", name="Suspended")).to_have_count(0)
    history = lead.get_by_role("region", name="Suspensions")
    expect(history).to_contain_text("Redaction filter validated by compliance")
    assert _gate_allows(lead, running.slug) is True
