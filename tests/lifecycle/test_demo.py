import io

import pypdf
import pytest

from audit.models import AuditEvent
from lifecycle.demo import demo_pdf, demo_use_cases_seed
from lifecycle.models import Artifact, ModelVersion, ReadinessAnswer, RiskAssessment, Stage, Tier, UseCase
from lifecycle.uploads import upload_validate
from portal.demo import demo_people_seed
from signoff.gates import Category, gate_evaluate
from tests.lifecycle.files import upload

pytestmark = pytest.mark.django_db

ALL_DEMO_USE_CASES = {
    "credit-scoring",
    "customer-service-assistant",
    "internal-code-assistant",
    "claims-triage",
    "model-monitoring-summariser",
    "employee-emotion-monitoring",
}
# Whose change pages each person may open: their own (as an owner or the one who registered it), or all for admin.
MAY_CHANGE = {
    "erin": ALL_DEMO_USE_CASES - {"model-monitoring-summariser", "employee-emotion-monitoring"},
    "rita": {"model-monitoring-summariser"},
    "audrey": set(),
    "admin": ALL_DEMO_USE_CASES,
}


@pytest.fixture
def seeded():
    users = demo_people_seed(password="demo-password-for-tests")
    return users, demo_use_cases_seed(users=users)


def _counts():
    return [m.objects.count() for m in (UseCase, ModelVersion, Artifact, RiskAssessment, ReadinessAnswer, AuditEvent)]


def test_seed_creates_the_demo_portfolio(seeded):
    _, use_cases = seeded
    assert set(use_cases) == ALL_DEMO_USE_CASES
    tiers = {slug: (uc.risk_tier, uc.technical_owner.username) for slug, uc in use_cases.items()}
    assert tiers == {
        "credit-scoring": (Tier.HIGH, "erin"),
        "customer-service-assistant": (Tier.LIMITED, "erin"),
        "internal-code-assistant": (Tier.MINIMAL, "evan"),
        "claims-triage": (Tier.HIGH, "evan"),
        "model-monitoring-summariser": (Tier.MINIMAL, "rita"),
        "employee-emotion-monitoring": (Tier.PROHIBITED, "evan"),
    }
    assert all(uc.stage == Stage.PROPOSED for uc in use_cases.values())
    credit = use_cases["credit-scoring"]
    assert credit.regulated_decision and credit.processes_personal_data
    assert RiskAssessment.objects.get(use_case=credit).fria_required


def test_seed_twice_changes_nothing(seeded):
    users, first = seeded
    before = _counts()
    second = demo_use_cases_seed(users=users)
    assert _counts() == before
    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in second.items()}


def test_credit_scoring_has_all_the_evidence_stage_3_asks_for(seeded):
    _, use_cases = seeded
    result = gate_evaluate(use_case=use_cases["credit-scoring"], target_stage=Stage.GUARDED)
    missing = [r.key for r in result.requirements if r.category == Category.EVIDENCE and not r.met]
    assert missing == []


@pytest.mark.parametrize("stage", [Stage.SANDBOX, Stage.CONTROLLED])
def test_code_assistant_has_the_evidence_of_stages_1_and_2(seeded, stage):
    _, use_cases = seeded
    result = gate_evaluate(use_case=use_cases["internal-code-assistant"], target_stage=stage)
    assert [r.key for r in result.requirements if r.category == Category.EVIDENCE and not r.met] == []


def test_the_prohibited_proposal_cannot_move(seeded):
    _, use_cases = seeded
    result = gate_evaluate(use_case=use_cases["employee-emotion-monitoring"], target_stage=Stage.SANDBOX)
    assert not result.allowed
    assert "classification.not_prohibited" in [r.key for r in result.unmet]


def test_demo_pdfs_are_real_pdfs():
    data = demo_pdf("Rollback (test)", ["Line one", "Line two"])
    assert upload_validate(upload("x.pdf", data)).size == len(data)
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    assert "Rollback (test)" in page.extract_text()


@pytest.mark.parametrize("who", ["erin", "rita", "audrey", "admin"])
def test_every_registry_page_renders_on_the_demo_data(client, seeded, who):
    users, use_cases = seeded
    client.force_login(users[who])
    assert client.get("/use-cases/").status_code == 200
    got, expected = {}, {}
    for slug, use_case in use_cases.items():
        assessment = RiskAssessment.objects.filter(use_case=use_case).latest()
        for url in (f"/use-cases/{slug}/", f"/use-cases/{slug}/classification/{assessment.pk}/"):
            got[url], expected[url] = client.get(url).status_code, 200
        for page in ("edit", "classification", "readiness", "versions/new", "artifacts/new", "retire"):
            url = f"/use-cases/{slug}/{page}/"
            got[url], expected[url] = client.get(url).status_code, 200 if slug in MAY_CHANGE[who] else 403
    assert got == expected
