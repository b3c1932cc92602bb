"""Every main page at a phone's width, forms that say what went wrong, and the evidence beside the decision.

Each page is visited in Chromium at 390 px (no page wider than the screen) and at 1280 px, and axe-core
checks it at both widths.
"""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Incident
from governance.services import ObservationSpec, finding_raise, observations_record, use_case_suspend
from governance.services.incidents import incident_record
from lifecycle.models import ArtifactKind, UseCase
from signoff.models import ReadinessRequest
from tests import factories
from tests.e2e.conftest import VIEWPORT, screenshot, sign_in
from tests.signoff.helpers import reviews_by_function

pytestmark = [pytest.mark.postgres, pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def at_width(new_page, username: str, viewport: dict) -> Page:
    page = sign_in(new_page(), username)
    page.set_viewport_size(viewport)
    return page


def page_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def pages_of(in_review: ReadinessRequest) -> dict[str, list[str]]:
    slug = in_review.use_case.slug
    risk = reviews_by_function(in_review)["risk"]
    return {
        "erin": [
            "/",
            "/use-cases/",
            f"/use-cases/{slug}/",
            f"/use-cases/{slug}/edit/",
            f"/use-cases/{slug}/versions/new/",
            f"/use-cases/{slug}/artifacts/new/",
            f"/use-cases/{slug}/readiness/",
            f"/use-cases/{slug}/classification/",
            "/signoff/requests/",
            in_review.get_absolute_url(),
            "/notifications/",
            "/notifications/settings/",
            "/insight/",
        ],
        "rita": ["/", "/signoff/reviews/", risk.get_absolute_url(), "/signoff/functions/risk/assignments/"],
        "carl": ["/signoff/policy/", "/signoff/policy/3/"],
        "audrey": ["/", "/audit/", "/signoff/packets/", "/signoff/packets/verify/"],
    }


def test_no_main_page_is_wider_than_a_phone_and_axe_finds_nothing(new_page, in_review, erin, rita, carl, audrey):
    too_wide, inaccessible = [], []
    for username, paths in pages_of(in_review).items():
        phone = at_width(new_page, username, PHONE)
        for path in paths:
            response = phone.goto(path)
            assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
            if (width := page_width(phone)) > PHONE["width"]:
                too_wide.append(f"{username} {path}: {width} px")
            inaccessible += [f"{username} {path} at 390 px: {v}" for v in axe_violations(phone)]
        phone.set_viewport_size(VIEWPORT)
        for path in paths:
            phone.goto(path)
            inaccessible += [f"{username} {path} at 1280 px: {v}" for v in axe_violations(phone)]
    assert too_wide == []
    assert inaccessible == []


def governance_world(credit, erin, ravi, carl) -> dict[str, str]:
    """An incident, a finding, a condition, monitoring with a breach and a suspension on the high-risk use case."""
    aware = timezone.now() - datetime.timedelta(days=1)
    incident = incident_record(
        use_case=credit,
        actor=erin,
        severity=Incident.Severity.SERIOUS,
        clock=Incident.Clock.STANDARD,
        title="Refusals on a stale score",
        description="Applicants were refused on last month's score.",
        detected_at=aware,
        aware_at=aware,
    )
    finding = finding_raise(
        use_case=credit,
        actor=ravi,
        source="audit",
        severity="high",
        title="No rollback test on record",
        description="Internal audit 2026-14.",
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    version = credit.versions.order_by("-created_at").first()
    observations_record(
        version=version,
        actor=erin,
        observations=[
            ObservationSpec("faithfulness", v, window_end=aware + datetime.timedelta(hours=i))
            for i, v in enumerate([0.95, 0.5, 0.93])
        ],
    )
    condition = factories.ReviewConditionFactory(review__request__use_case=credit)
    suspended = factories.UseCaseFactory(title="Paused assistant", technical_owner=erin)
    use_case_suspend(use_case=suspended, actor=carl, reason="Leaked prompts in the logs.")
    return {
        "incident": incident.get_absolute_url(),
        "finding": finding.get_absolute_url(),
        "condition": condition.get_absolute_url(),
        "suspended": suspended.slug,
    }


def test_governance_account_and_public_pages_fit_a_phone_and_axe_finds_nothing(
    new_page, credit, erin, ravi, carl, admin_user
):
    world = governance_world(credit, erin, ravi, carl)
    slug = credit.slug
    pages = {
        "erin": [
            "/governance/incidents/",
            world["incident"],
            f"/governance/use-cases/{slug}/incidents/new/",
            "/governance/findings/",
            world["finding"],
            f"/governance/use-cases/{slug}/observations/",
            world["condition"],
            "/accounts/tokens/",
            "/accounts/second-factor/setup/",
            "/accounts/second-factor/factors/",
        ],
        "ravi": [
            world["incident"],
            world["finding"],
            f"/governance/use-cases/{slug}/findings/new/",
        ],
        "carl": [
            f"/governance/use-cases/{slug}/exceptions/new/",
            f"/governance/use-cases/{slug}/suspend/",
            f"/governance/use-cases/{world['suspended']}/lift/",
        ],
        "admin": ["/accounts/tokens/"],
    }
    too_wide, inaccessible = [], []

    def visit(page: Page, who: str, path: str) -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{who} {path}: {response and response.status}"
        assert page.url.endswith(path), f"{who} {path} was sent to {page.url}"
        width = page.viewport_size["width"] if page.viewport_size else 0
        if width == PHONE["width"] and page_width(page) > width:
            too_wide.append(f"{who} {path}: {page_width(page)} px")
        inaccessible.extend(f"{who} {path} at {width} px: {v}" for v in axe_violations(page))

    for username, paths in pages.items():
        page = at_width(new_page, username, PHONE)
        for viewport in (PHONE, VIEWPORT):
            page.set_viewport_size(viewport)
            for path in paths:
                visit(page, username, path)
    # Signed out: the sign-in page and the packet check anyone may use.
    anonymous = new_page()
    for viewport in (PHONE, VIEWPORT):
        anonymous.set_viewport_size(viewport)
        for path in ("/accounts/login/", "/signoff/packets/verify/"):
            visit(anonymous, "signed out", path)
    assert too_wide == []
    assert inaccessible == []


def test_the_menu_wraps_on_a_phone(new_page, erin):
    page = at_width(new_page, "erin", PHONE)
    menu = page.get_by_role("navigation", name="Main")
    for name in ("Home", "Use cases", "Requests", "Reviews", "Notifications"):
        box = menu.get_by_role("link", name=re.compile(f"^{name}")).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    screenshot(page, "home-phone")


@pytest.mark.parametrize("viewport", [VIEWPORT, PHONE], ids=["1280", "390"])
def test_a_failed_readiness_save_shows_its_errors_at_the_top(new_page, credit, erin, viewport):
    page = at_width(new_page, "erin", viewport)
    page.goto(f"/use-cases/{credit.slug}/readiness/")
    group = page.get_by_role("group").filter(has=page.get_by_label("No", exact=True)).first
    group.get_by_label("No", exact=True).check()
    group.get_by_label("Note").fill("")
    page.get_by_role("button", name="Save answers").click()

    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link").first
    link.click()
    expect(page.locator(link.get_attribute("href") or "")).to_be_focused()


def test_a_failed_classification_keeps_what_was_typed_and_says_what_is_missing(new_page, use_case, erin):
    page = at_width(new_page, "erin", VIEWPORT)
    page.goto(f"/use-cases/{use_case.slug}/classification/")
    first = page.get_by_role("group", name=re.compile(r"^Q01 · ")).first
    first.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record classification").click()

    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(r"^Q01 · ")).get_by_label("Yes", exact=True)).to_be_checked()


def test_a_reviewer_reads_the_evidence_beside_the_decision(new_page, in_review, rita):
    risk = reviews_by_function(in_review)["risk"]
    page = at_width(new_page, "rita", VIEWPORT)
    page.goto(risk.get_absolute_url())

    evidence = page.get_by_role("region", name="Evidence as submitted")
    for item in in_review.evidence_snapshot["artifacts"]:
        expect(evidence.get_by_role("link", name=f"Open {item['name']}")).to_be_visible()
    expect(evidence.get_by_role("table")).to_contain_text("meets the threshold")
    decision = page.get_by_role("complementary", name="Decision")
    expect(decision.get_by_role("button", name="Record decision")).to_be_visible()
    # The evaluation report is one click away from the decision, and the decision stays in view beside it.
    report = decision.get_by_role("link", name=re.compile("Open the evaluation report"))
    with page.context.expect_page() as opened:
        report.click()
    report_id = next(
        a["id"] for a in in_review.evidence_snapshot["artifacts"] if a["kind"] == ArtifactKind.EVALUATION_REPORT
    )
    assert opened.value.url.endswith(f"/artifacts/{report_id}/download/?inline=1")
    screenshot(page, "review-decision")
    page.set_viewport_size(PHONE)
    expect(decision.get_by_role("button", name="Record decision")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    screenshot(page, "review-phone")
    page.set_viewport_size(VIEWPORT)

    # Conditions are asked for only with "approve with conditions".
    expect(decision.get_by_role("group", name="Conditions of the approval")).to_be_hidden()
    decision.get_by_label("Request changes").check()
    expect(decision.get_by_role("group", name="Conditions of the approval")).to_be_hidden()
    decision.get_by_label("Approve with conditions").check()
    expect(decision.get_by_role("group", name="Conditions of the approval")).to_be_visible()

    # A decision without its comment fails in place, with the summary at the top of the form.
    decision.get_by_label("Request changes").check()
    page.get_by_role("button", name="Record decision").click()
    summary = page.get_by_role("alert").filter(has_text="Not saved yet")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("Comment")


def test_the_likeness_warning_and_the_policy_preview_fit_a_phone_and_axe_finds_nothing(new_page, use_case, erin, carl):
    page = at_width(new_page, "erin", PHONE)
    page.goto("/use-cases/new/")
    page.get_by_label("Title").fill("Support ticket summariser")
    page.get_by_label("Purpose").fill("Summarise tickets for agents.")
    page.get_by_role("button", name="Register", exact=True).click()
    warning = page.get_by_role("alert").filter(has_text="This looks like a use case already registered")
    expect(warning).to_be_focused()
    expect(warning.get_by_role("link", name="Support ticket summaries")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    warning.get_by_role("button", name=re.compile("Register anyway")).click()
    expect(page.get_by_role("heading", level=1, name="Support ticket summariser")).to_be_visible()

    upload = f"/use-cases/{use_case.slug}/artifacts/new/"
    UseCase.objects.filter(pk=use_case.pk).update(stage=1)
    page.goto(upload)
    expect(page.get_by_role("group", name="Needed for stage 2")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []

    officer = at_width(new_page, "carl", PHONE)
    officer.goto("/signoff/policy/2/")
    officer.get_by_role("checkbox", name=re.compile("Data protection impact assessment")).first.check()
    officer.get_by_role("button", name="Preview what it changes").click()
    preview = officer.get_by_role("status").filter(has_text="Preview: not saved")
    expect(preview).to_be_focused()
    expect(preview).to_contain_text("1 use case at stage 1 would now miss the Data protection impact assessment")
    assert page_width(officer) <= PHONE["width"]
    assert axe_violations(officer) == []
