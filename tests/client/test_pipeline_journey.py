"""A whole pipeline against a live portal: the stagegate client as a subprocess, reviewers through the API.

Version 1.0 goes up with its evidence and is approved stage by stage to 3; a
candidate 2.0 never disturbs what runs; approved, 2.0 runs and 1.0 stays
allowed as the rollback target; after a demotion to 2 the approved version
runs at 2 and no longer at 3. Every push, sent again with its Idempotency-Key,
changes neither the rows nor the audit chain.
"""

import json
from io import StringIO
from pathlib import Path

import httpx
from django.core.management import call_command

from audit.models import AuditChainHead, AuditEvent
from lifecycle.models import Artifact, ModelVersion, ReadinessQuestion, Tier
from signoff.models import ReadinessRequest, RequestState, Review
from tests import factories
from tests.client.conftest import Portal, live
from tests.lifecycle.files import PDF

# With each version the pipeline pushes its monitoring summary and incident review too: the periodic review (an
# approval at the stage the use case is at) asks for them new since the stage was last approved.
EVIDENCE_KINDS = [
    "evaluation_report",
    "data_lineage",
    "observability_plan",
    "rollback_test",
    "communication_plan",
    "monitoring_summary",
    "incident_review",
]


def _token(username: str, scopes: str) -> str:
    out = StringIO()
    call_command("issue_token", username, "--scope", scopes, stdout=out)
    return out.getvalue().strip()


def _state() -> tuple:
    """What a repeated push must leave exactly as it was."""
    head = AuditChainHead.objects.get(pk=1)
    return (
        ModelVersion.objects.count(),
        Artifact.objects.count(),
        ReadinessRequest.objects.count(),
        AuditEvent.objects.count(),
        head.seq,
        head.hash,
    )


def _twice(portal: Portal, *args: str, key: str) -> str:
    """Run a push, then the same push again with the same key: the retry is answered alike and changes nothing."""
    first = portal.run(*args, "--idempotency-key", key, "--json")
    assert first.code == 0, first.said
    after_first = _state()
    again = portal.run(*args, "--idempotency-key", key, "--json")
    assert again.code == 0, again.said
    assert json.loads(again.out) == json.loads(first.out)
    assert _state() == after_first
    return first.out


def _approve_as_risk(url: str, token: str, request_id: int) -> None:
    review = Review.objects.get(request_id=request_id, function__key="risk", state__in=["unassigned", "assigned"])
    response = httpx.post(
        f"{url}/api/v1/reviews/{review.pk}/decide/",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert ReadinessRequest.objects.get(pk=request_id).state == RequestState.APPROVED


def _push_version(portal: Portal, slug: str, label: str, config: Path, evidence_dir: Path) -> str:
    evidence = []
    for kind in EVIDENCE_KINDS:
        path = evidence_dir / f"{kind}-{label}.pdf"
        path.write_bytes(PDF + f"% {kind} of {label}\n".encode())
        evidence += ["--evidence", f"{kind}={path}"]
    return _twice(
        portal,
        "version", "push", slug, "--label", label, "--provider", "Azure OpenAI", "--model", "gpt-4o-2024-08-06",
        "--config", str(config), "--metric", "faithfulness=0.94:0.9:gte", *evidence,
        key=f"version-{label}",
    )  # fmt: skip


def _request(portal: Portal, slug: str, stage: int, label: str) -> int:
    out = _twice(portal, "request", slug, "--stage", str(stage), "--version", label, key=f"request-{stage}-{label}")
    return json.loads(out)["id"]


def _gate(portal: Portal, slug: str, stage: int, label: str) -> tuple[int, str]:
    run = portal.run("gate", "check", slug, "--stage", str(stage), "--version", label)
    return run.code, run.out


@live
def test_a_pipeline_from_first_push_to_rollback_target_and_demotion(live_server, erin, rita, tmp_path):
    bob = factories.UserFactory(username="bob", roles=["engineer"])
    use_case = factories.UseCaseFactory(
        slug="support-summaries", technical_owner=erin, business_owner=bob, risk_tier=Tier.MINIMAL
    )
    factories.RiskAssessmentFactory(use_case=use_case, tier=Tier.MINIMAL, is_final=True, assessed_by=erin)
    slug = use_case.slug
    portal = Portal(url=live_server.url, token=_token("erin", "read,gate,push"))
    risk_token = _token("rita", "read,review")

    config = tmp_path / "prompt-1.0.txt"
    config.write_text("You summarise support tickets. Never invent facts.\n")
    _push_version(portal, slug, "1.0", config, tmp_path)
    answers = [arg for q in ReadinessQuestion for arg in ("--answer", f"{q.value}=yes", "--note", f"{q.value}=Done")]
    assert portal.run("readiness", "answer", slug, *answers).code == 0

    stage_one = _request(portal, slug, 1, "1.0")
    # Stage 1 needs nobody's signature: the gate approves it on submission.
    assert ReadinessRequest.objects.get(pk=stage_one).state == RequestState.APPROVED
    for stage in (2, 3):
        _approve_as_risk(live_server.url, risk_token, _request(portal, slug, stage, "1.0"))
    assert _gate(portal, slug, 3, "1.0")[0] == 0

    # A candidate, its evidence and its open request change nothing for what runs.
    candidate_config = tmp_path / "prompt-2.0.txt"
    candidate_config.write_text("You summarise support tickets in the customer's language.\n")
    _push_version(portal, slug, "2.0", candidate_config, tmp_path)
    assert _gate(portal, slug, 3, "1.0")[0] == 0
    code, out = _gate(portal, slug, 3, "2.0")
    assert code == 1
    assert "Version 2.0 holds no approval for stage 3 or above. [approval.standing]" in out
    same_stage = _request(portal, slug, 3, "2.0")
    assert _gate(portal, slug, 3, "1.0")[0] == 0
    assert portal.run("gate", "check", slug, "--stage", "3", "--version", "2.0").code == 2  # in review: pending

    _approve_as_risk(live_server.url, risk_token, same_stage)
    code, out = _gate(portal, slug, 3, "2.0")
    assert code == 0, out
    code, out = _gate(portal, slug, 3, "1.0")
    assert code == 0, out
    assert "the rollback target" in portal.run("gate", "check", slug, "--stage", "3", "--version", "1.0", "--json").out

    demoted = httpx.post(
        f"{live_server.url}/api/v1/use-cases/{slug}/demote/",
        json={"to_stage": 2, "reason": "Escalations doubled after the 2.0 roll-out."},
        headers={"Authorization": f"Bearer {portal.token}"},
        timeout=30,
    )
    assert demoted.status_code == 200, demoted.text
    assert _gate(portal, slug, 2, "2.0")[0] == 0
    code, out = _gate(portal, slug, 3, "2.0")
    assert code == 1
    assert "Not at stage 3 now: it is at 2 · Controlled production. [stage.current]" in out
