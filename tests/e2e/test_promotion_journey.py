"""The promotion journey in a real browser: from registration to a signed packet.

erin registers and classifies a use case, records what runs, uploads the
evidence, answers the readiness check and asks for stage 3; rita (risk), carl
(compliance) and lena (legal) each sign from their queues; the use case moves
to stage 3; audrey downloads the packet. rita also owns a use case of her
own, and finds no way to approve its review.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from lifecycle.models import ArtifactKind, Stage, StageChange, UseCase
from signoff.models import Packet, ReadinessRequest, RequestState, Review
from tests import factories
from tests.e2e.conftest import screenshot, sign_in
from tests.portal.dashboard_data import request_make, review_make

pytestmark = [pytest.mark.postgres, pytest.mark.browser]

TITLE = "Claims letter assistant"
STAGE_3_EVIDENCE = [
    ArtifactKind.EVALUATION_REPORT,
    ArtifactKind.DATA_LINEAGE,
    ArtifactKind.OBSERVABILITY_PLAN,
    ArtifactKind.ROLLBACK_TEST,
    ArtifactKind.COMMUNICATION_PLAN,
    # Q13 (customers read what it drafts) brings the Art. 50 duty, and the default policy asks for its notice.
    ArtifactKind.AI_DISCLOSURE,
]
# Answers that keep the use case in scope of the AI Act with transparency duties only.
YES_ANSWERS = {
    "Q01": "It generates letter drafts from claim data.",
    "Q02": "Used by our EU claims teams.",
    "Q13": "Customers read the drafted letters.",
}


def register(page: Page) -> str:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Use cases").click()
    page.get_by_role("button", name="Register a use case").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Purpose").fill("Draft claim decision letters for handlers to check and send.")
    page.get_by_label(re.compile("approved scope", re.I)).fill("Claims handlers only; every letter is checked.")
    page.get_by_label(re.compile("business kpi", re.I)).fill("Letter turnaround down 30%")
    page.get_by_label(re.compile("business owner", re.I)).select_option(label="Eric Ekwueme")
    page.get_by_label("Team").fill("Claims operations")
    page.get_by_label(re.compile("sunset criteria", re.I)).fill("Retire if complaints about letters rise.")
    page.get_by_label(re.compile("processes personal data", re.I)).check()
    page.get_by_label(re.compile("customer.facing", re.I)).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def classify(page: Page) -> None:
    page.get_by_role("button", name="Classify").click()
    for group in page.get_by_role("group", name=re.compile(r"^Q\d\d · ")).all():
        qid = group.locator("legend").inner_text()[:3]
        if qid == "Q10":
            continue  # Annex III areas: none apply
        if qid in YES_ANSWERS:
            group.get_by_label("Yes", exact=True).check()
            group.get_by_label(f"Rationale for {qid}").fill(YES_ANSWERS[qid])
        else:
            group.get_by_label("No", exact=True).check()
    page.get_by_label("Final").check()
    page.get_by_role("button", name="Record classification").click()
    expect(page.get_by_role("region", name="Risk classification")).to_contain_text("final")


def earlier_gates_passed(slug: str, erin) -> None:
    """Stages 1 and 2 have their own journeys; here the use case arrives at stage 2 by recorded history."""
    use_case = UseCase.objects.get(slug=slug)
    now = timezone.now()
    for from_stage in (Stage.PROPOSED, Stage.SANDBOX):
        StageChange.objects.create(
            use_case=use_case,
            kind=StageChange.Kind.PROMOTION,
            from_stage=from_stage,
            to_stage=from_stage + 1,
            reason="Approved earlier",
            actor=erin,
            created_at=now,
        )
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.CONTROLLED, stage_entered_at=now)


def record_version(page: Page) -> None:
    page.get_by_role("button", name="Add version").click()
    page.get_by_label("Label").fill("2.0.0")
    page.get_by_label("Provider").fill("Azure OpenAI")
    page.get_by_label("Model identifier").fill("gpt-4o-2024-08-06")
    page.get_by_label("Configuration SHA-256").fill("ab" * 32)
    page.get_by_label("Evaluation metrics").fill("faithfulness, 0.94, 0.90, >=\ntoxicity, 0.01, 0.05, <=")
    page.get_by_role("button", name="Record version").click()
    expect(page.get_by_role("region", name="Versions")).to_contain_text("2.0.0")


def upload_evidence(page: Page, kinds: list[ArtifactKind]) -> None:
    """Every file the gate still needs, each in its own chooser, sent at once."""
    page.get_by_role("button", name="Upload evidence").click()
    needed = page.get_by_role("group", name=re.compile("^Needed for stage 3"))
    for kind in kinds:
        needed.get_by_label(kind.label, exact=True).set_input_files(
            files=[
                {"name": f"{kind.value}.pdf", "mimeType": "application/pdf", "buffer": f"%PDF-1.4\n{kind}\n".encode()}
            ]
        )
    page.get_by_role("button", name="Upload").click()
    for kind in kinds:
        expect(page.get_by_role("region", name="Evidence")).to_contain_text(f"{kind.value}.pdf")


def answer_readiness(page: Page) -> None:
    page.get_by_role("button", name="Readiness check").click()
    for group in page.get_by_role("group").filter(has=page.get_by_label("Yes", exact=True)).all():
        group.get_by_label("Yes", exact=True).check()
        group.get_by_label("Note").fill("Covered in the evidence pack.")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("region", name="Production-readiness check").locator("li.met")).to_have_count(7)


def sign_from_queue(page: Page, function: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{function} review: {TITLE}")
    page.get_by_role("button", name="Take this review").click()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    # The last signature promotes the use case and renders the packet before the page answers.
    expect(page.get_by_text("Recorded: approve.")).to_be_visible(timeout=60_000)


def test_a_use_case_goes_to_stage_3_with_three_signatures_and_a_packet(new_page, erin, eric, rita, carl, lena, audrey):
    page = sign_in(new_page(), "erin")
    slug = register(page)
    classify(page)
    earlier_gates_passed(slug, erin)
    page.reload()
    record_version(page)
    upload_evidence(page, STAGE_3_EVIDENCE)
    answer_readiness(page)

    page.get_by_role("link", name=re.compile("ask for promotion")).click()
    expect(page.get_by_label("Promote to")).to_have_value("3")
    page.get_by_label("Justification").fill("Evidence complete; guardrails tested in the controlled stage.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{TITLE}: stage 2 → 3")
    screenshot(page, "request")
    request = ReadinessRequest.objects.get(use_case__slug=slug)
    assert request.state == RequestState.SUBMITTED
    assert sorted(Review.objects.filter(request=request).values_list("function__key", flat=True)) == [
        "compliance",
        "legal",
        "risk",
    ]
    page.goto("/")
    screenshot(page, "home-engineer")

    rita_page = new_page()
    sign_in(rita_page, "rita")
    rita_page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    screenshot(rita_page, "review-queue")
    sign_from_queue(rita_page, "Risk")
    sign_from_queue(sign_in(new_page(), "carl"), "Compliance")
    sign_from_queue(sign_in(new_page(), "lena"), "Legal")

    page.goto(f"/use-cases/{slug}/")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.locator("hgroup")).to_contain_text("3 · Production with guardrails")
    assert UseCase.objects.get(slug=slug).stage == Stage.GUARDED

    auditor = sign_in(new_page(), "audrey")
    auditor.get_by_role("navigation", name="Main").get_by_role("link", name="Packets").click()
    packet = Packet.objects.get(request=request)
    expect(auditor.get_by_role("link", name=packet.packet_id)).to_be_visible()
    screenshot(auditor, "packets")
    auditor.get_by_role("link", name=packet.packet_id).click()
    with auditor.expect_download() as download_info:
        auditor.get_by_role("button", name=re.compile("Download PDF")).click()
    assert download_info.value.path().read_bytes() == packet.file.read()


def test_a_reviewer_cannot_approve_a_use_case_they_own(page, erin, rita, ravi):
    own = factories.UseCaseFactory(title="Rita's risk dashboard", technical_owner=rita)
    review = review_make(request_make(own, submitter=rita), "risk", assignee=rita)

    sign_in(page, "rita")
    queue = page.get_by_role("region", name="My review queue")
    expect(queue).to_contain_text("you cannot decide it")
    queue.get_by_role("link", name=re.compile("Rita's risk dashboard")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Rita's risk dashboard")
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(page.get_by_role("button", name="Take this review")).to_have_count(0)

    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    response = page.request.post(
        f"/signoff/reviews/{review.pk}/",
        form={"decision": "approve", "comment": ""},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert response.status == 403
    review.refresh_from_db()
    assert review.decision == "" and review.decided_by is None
