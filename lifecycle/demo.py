"""Sample use cases for seed_demo, created through the same services as real ones.

Every use case starts at stage 0 here; signoff/demo.py promotes some of them
through real readiness requests, so the evidence below is complete enough for
that: the credit-scoring model has everything stage 3 asks for, the code
assistant what stages 1 and 2 ask for. A use case that already exists is left
exactly as it is, so running the seed twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from lifecycle.models import ArtifactKind, EvaluationMetric, ReadinessQuestion, UseCase
from lifecycle.services import (
    MetricSpec,
    ReadinessInput,
    artifact_upload,
    model_version_create,
    readiness_answers_save,
    risk_assessment_record,
    use_case_create,
)

AT_MOST = EvaluationMetric.Direction.AT_MOST


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF with a title and a few lines of text."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    for n, line in enumerate(lines):
        body.append(f"BT /F1 11 Tf 56 {750 - 18 * n} Td (" + escape(line) + ") Tj ET")
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass(frozen=True)
class DemoArtifact:
    kind: ArtifactKind
    name: str
    lines: list[str]
    for_version: bool = False

    def content(self, title: str) -> bytes:
        if self.name.endswith(".pdf"):
            return demo_pdf(f"{title}: {self.kind.label}", self.lines)
        return (f"# {title}: {self.kind.label}\n\n" + "\n".join(f"- {line}" for line in self.lines) + "\n").encode()


@dataclass(frozen=True)
class DemoUseCase:
    slug: str
    title: str
    owner: str
    business_owner: str | None
    purpose: str
    approved_scope: str
    business_kpi: str
    team: str
    sunset_criteria: str
    personal_data: bool
    customer_facing: bool
    regulated_decision: bool
    version: dict
    metrics: list[MetricSpec]
    yes: dict[str, str]
    areas: tuple[list[str], str] | None = None
    final: bool = True
    artifacts: list[DemoArtifact] = field(default_factory=list)
    readiness_no: dict[str, str] = field(default_factory=dict)
    readiness: bool = True


STAGE_2_EVIDENCE = [
    DemoArtifact(
        ArtifactKind.EVALUATION_REPORT,
        "evaluation-report.pdf",
        [
            "Offline evaluation on a held-out, representative sample.",
            "All metrics meet their thresholds; see the version record.",
        ],
        for_version=True,
    ),
    DemoArtifact(
        ArtifactKind.DATA_LINEAGE,
        "data-lineage.md",
        [
            "Sources, owners and retention of every input listed.",
            "Known limitations: thin history for new customers.",
        ],
    ),
]
STAGE_3_EVIDENCE = [
    *STAGE_2_EVIDENCE,
    DemoArtifact(
        ArtifactKind.OBSERVABILITY_PLAN,
        "observability-plan.md",
        [
            "Every request and response logged for 6 months.",
            "Latency p95 and error categories on the team dashboard.",
            "Drift and anomaly alerts page the on-call engineer.",
        ],
    ),
    DemoArtifact(
        ArtifactKind.ROLLBACK_TEST,
        "rollback-test.txt",
        [
            "Rollback rehearsed in staging: previous version restored in 4 minutes.",
            "Trigger: error rate above 2% for 10 minutes.",
        ],
    ),
    DemoArtifact(
        ArtifactKind.COMMUNICATION_PLAN,
        "communication-plan.pdf",
        [
            "What changes and for whom; what users should expect.",
            "Escalation path: service desk, then the model owner, then risk.",
        ],
    ),
]

DEMO_USE_CASES = [
    DemoUseCase(
        slug="credit-scoring",
        title="Retail credit scoring (probability of default)",
        owner="erin",
        business_owner="evan",
        purpose="Estimates the probability of default of retail loan applicants to support credit decisions.",
        approved_scope="Unsecured personal loans up to EUR 50,000 in IE and NL; underwriters make the final decision.",
        business_kpi="Default rate of approved loans below 2.5% at an unchanged approval rate",
        team="Retail credit risk",
        sunset_criteria="Re-approve yearly; retire if the Gini coefficient drops below 0.55 for two quarters.",
        personal_data=True,
        customer_facing=False,
        regulated_decision=True,
        version={
            "label": "3.2.0",
            "provider": "In-house",
            "model_identifier": "gbm-pd-retail-2026q3",
            "guardrails": "Score bands only; adverse-action reasons generated; manual review below 0.4.",
        },
        metrics=[
            MetricSpec("gini", 0.68, 0.55),
            MetricSpec("ks_statistic", 0.47, 0.35),
            MetricSpec("population_stability_index", 0.06, 0.1, AT_MOST),
            MetricSpec("approval_rate_gap_by_gender", 0.015, 0.03, AT_MOST),
        ],
        yes={
            "Q01": "A gradient-boosted model learned from historical loan outcomes.",
            "Q02": "Used for applicants in Ireland and the Netherlands.",
            "Q11": "It profiles applicants' economic situation.",
            "Q20": "Supports decisions about applicants; explanations are owed on request.",
        },
        areas=(["credit_scoring"], "Credit scoring of natural persons, Annex III 5(b): an FRIA whoever deploys it."),
        artifacts=[
            *STAGE_3_EVIDENCE,
            DemoArtifact(
                ArtifactKind.IMPACT_ASSESSMENT,
                "fria-dpia.pdf",
                ["Fundamental rights impact assessment and DPIA.", "Residual risk accepted by the CRO."],
            ),
            DemoArtifact(
                ArtifactKind.MODEL_CARD,
                "model-card.md",
                ["Intended use: retail PD estimation.", "Not for SME or mortgage lending."],
                for_version=True,
            ),
        ],
    ),
    DemoUseCase(
        slug="customer-service-assistant",
        title="Customer service chat assistant",
        owner="erin",
        business_owner="evan",
        purpose="Answers customers' questions about accounts and cards in the web chat, handing over to an agent.",
        approved_scope="Account and card questions only; no advice, no transactions. Always offers a human agent.",
        business_kpi="First-contact resolution up 10% with customer satisfaction at least 4.2/5",
        team="Digital channels",
        sunset_criteria="Retire if satisfaction falls below 3.8 for a month or hallucination rate exceeds 1%.",
        personal_data=True,
        customer_facing=True,
        regulated_decision=False,
        version={
            "label": "1.4.0",
            "provider": "Azure OpenAI",
            "model_identifier": "gpt-4o-2024-08-06",
            "agent_tools": ["search_help_centre", "lookup_card_status", "handover_to_agent"],
            "guardrails": "PII redaction; topic filter; toxicity filter; 30 messages per session; human handover.",
        },
        metrics=[
            MetricSpec("groundedness", 0.94, 0.9),
            MetricSpec("hallucination_rate", 0.006, 0.01, AT_MOST),
            MetricSpec("p95_latency_seconds", 2.4, 4.0, AT_MOST),
        ],
        yes={
            "Q01": "A large language model generates the replies.",
            "Q02": "Offered to customers in the EU.",
            "Q13": "Customers chat with it directly.",
            "Q14": "It generates text.",
        },
        artifacts=[*STAGE_2_EVIDENCE],
        readiness_no={ReadinessQuestion.WORKFLOW_INTEGRATION: "Agent handover is still manual; CRM link due Q1."},
    ),
    DemoUseCase(
        slug="internal-code-assistant",
        title="Internal code assistant",
        owner="evan",
        business_owner="erin",
        purpose="Suggests code and tests to the bank's developers inside their editor.",
        approved_scope="Internal repositories only; no production credentials in prompts; suggestions are reviewed.",
        business_kpi="Lead time for changes down 15%",
        team="Developer platform",
        sunset_criteria="Retire if accepted-suggestion rate stays below 20% for a quarter.",
        personal_data=False,
        customer_facing=False,
        regulated_decision=False,
        version={
            "label": "0.9.0",
            "provider": "Mistral AI",
            "model_identifier": "mistral-large-2411",
            "agent_tools": ["read_repository", "run_tests"],
            "guardrails": "Secrets scanner on prompts; no network access for tools; code review required.",
        },
        metrics=[MetricSpec("pass_at_1", 0.71, 0.6), MetricSpec("secret_leak_rate", 0.0, 0.0, AT_MOST)],
        yes={
            "Q01": "A large language model generates code.",
            "Q02": "Used by developers in the EU.",
        },
        artifacts=[*STAGE_2_EVIDENCE],
    ),
    DemoUseCase(
        slug="claims-triage",
        title="Health insurance claims triage",
        owner="evan",
        business_owner="erin",
        purpose="Scores incoming health insurance claims for risk and routes them to fast-track or investigation.",
        approved_scope="Outpatient claims under EUR 5,000; investigation decisions stay with claims handlers.",
        business_kpi="Median settlement time down from 9 to 5 days without more leakage",
        team="Claims operations",
        sunset_criteria="Re-approve yearly; retire if the false investigation rate exceeds 8%.",
        personal_data=True,
        customer_facing=False,
        regulated_decision=True,
        version={
            "label": "1.0.0",
            "provider": "In-house",
            "model_identifier": "claims-risk-xgb-2026-10",
            "guardrails": "Never auto-rejects; every investigation flag is reviewed by a handler.",
        },
        metrics=[MetricSpec("auc", 0.83, 0.8), MetricSpec("false_investigation_rate", 0.061, 0.08, AT_MOST)],
        yes={
            "Q01": "A learned model scores the claims.",
            "Q02": "Policyholders in the EU.",
            "Q11": "It profiles policyholders' claim behaviour.",
            "Q20": "Supports decisions about policyholders.",
        },
        areas=(["life_health_insurance"], "Health insurance risk assessment, Annex III 5(c)."),
        artifacts=[*STAGE_2_EVIDENCE],
        readiness_no={
            ReadinessQuestion.CONTROLS_DESIGNED: "Logging retention still being agreed with security.",
            ReadinessQuestion.COMPLIANCE_ACCOUNTED: "FRIA in progress.",
        },
    ),
    DemoUseCase(
        slug="model-monitoring-summariser",
        title="Model monitoring summariser",
        owner="rita",
        business_owner="evan",
        purpose="Summarises weekly model-monitoring dashboards into a short note for the model risk committee.",
        approved_scope="Internal summaries for the committee; the numbers come from the dashboards, not the model.",
        business_kpi="Committee pack prepared in 1 hour instead of 6",
        team="Model risk",
        sunset_criteria="Retire if reviewers correct more than one summary in five.",
        personal_data=False,
        customer_facing=False,
        regulated_decision=False,
        version={
            "label": "0.3.0",
            "provider": "Azure OpenAI",
            "model_identifier": "gpt-4o-mini-2024-07-18",
            "guardrails": "Numbers quoted only from the source tables; reviewer signs each summary.",
        },
        metrics=[MetricSpec("factual_consistency", 0.96, 0.95)],
        yes={
            "Q01": "A language model writes the summaries.",
            "Q02": "Used in the EU head office.",
        },
        artifacts=[*STAGE_2_EVIDENCE],
    ),
    DemoUseCase(
        slug="employee-emotion-monitoring",
        title="Contact-centre agent emotion monitoring (proposal)",
        owner="evan",
        business_owner=None,
        purpose="Proposal: infer agents' stress and frustration from their voice to plan breaks and coaching.",
        approved_scope="Not approved: emotion inference at work is prohibited (Art. 5(1)(f)).",
        business_kpi="Agent attrition down 10%",
        team="Contact centre",
        sunset_criteria="Not to be built unless redesigned without emotion inference.",
        personal_data=True,
        customer_facing=False,
        regulated_decision=False,
        version={
            "label": "0.1.0-proposal",
            "provider": "Vendor (under evaluation)",
            "model_identifier": "voice-affect-demo",
            "guardrails": "None: proposal only.",
        },
        metrics=[],
        yes={
            "Q01": "A vendor model infers emotion from speech.",
            "Q02": "Contact centre in Dublin.",
            "Q06": "It infers employees' emotions at work, which Art. 5(1)(f) prohibits.",
            "Q15": "It recognises emotions.",
            "Q20": "Used on workers.",
        },
        final=False,
        artifacts=[
            DemoArtifact(
                ArtifactKind.OTHER,
                "proposal.md",
                ["Vendor pitch and intended use.", "Pre-screen: prohibited practice, not to proceed."],
            )
        ],
        readiness=False,
    ),
]


def _answers(spec: DemoUseCase) -> dict:
    answers: dict = {f"Q{n:02d}": {"answer": False, "rationale": ""} for n in range(1, 21)}
    for qid, rationale in spec.yes.items():
        answers[qid] = {"answer": True, "rationale": rationale}
    areas, rationale = spec.areas or ([], "")
    answers["Q10"] = {"areas": areas, "rationale": rationale}
    return answers


def _seed_one(spec: DemoUseCase, users: dict[str, User]) -> UseCase:
    owner = users[spec.owner]
    use_case = use_case_create(
        actor=owner,
        slug=spec.slug,
        title=spec.title,
        purpose=spec.purpose,
        approved_scope=spec.approved_scope,
        business_kpi=spec.business_kpi,
        business_owner=users[spec.business_owner] if spec.business_owner else None,
        team=spec.team,
        sunset_criteria=spec.sunset_criteria,
        processes_personal_data=spec.personal_data,
        customer_facing=spec.customer_facing,
        regulated_decision=spec.regulated_decision,
    )
    version = model_version_create(
        use_case=use_case,
        actor=owner,
        config_hash=hashlib.sha256(f"{spec.slug}:{spec.version['label']}".encode()).hexdigest(),
        metrics=spec.metrics,
        **spec.version,
    )
    risk_assessment_record(
        use_case=use_case,
        actor=owner,
        answers=_answers(spec),
        is_final=spec.final,
        summary="Assessed by the technical owner with the risk function.",
    )
    artifacts = {}
    for item in spec.artifacts:
        content = item.content(spec.title)
        artifacts[item.kind] = artifact_upload(
            use_case=use_case,
            actor=owner,
            kind=item.kind,
            file=SimpleUploadedFile(item.name, content),
            title=item.kind.label,
            version=version if item.for_version else None,
        )
    if spec.readiness:
        evidence = artifacts.get(ArtifactKind.EVALUATION_REPORT)
        answers = {}
        for question in ReadinessQuestion:
            if question in spec.readiness_no:
                answers[question.value] = ReadinessInput(False, spec.readiness_no[question])
            elif question == ReadinessQuestion.REPRESENTATIVE_DATA and evidence is not None:
                answers[question.value] = ReadinessInput(True, "See the evaluation report.", evidence)
            else:
                answers[question.value] = ReadinessInput(True, "Confirmed by the technical owner.")
        readiness_answers_save(use_case=use_case, actor=owner, answers=answers)
    # The services worked on locked copies; hand back what the database now holds.
    use_case.refresh_from_db()
    return use_case


def demo_use_cases_seed(*, users: dict[str, User]) -> dict[str, UseCase]:
    """Create the demo use cases that do not exist yet; return them all, keyed by slug."""
    out: dict[str, UseCase] = {}
    for spec in DEMO_USE_CASES:
        with transaction.atomic():
            existing = UseCase.objects.filter(slug=spec.slug).first()
            out[spec.slug] = existing if existing is not None else _seed_one(spec, users)
    return out
