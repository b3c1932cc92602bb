"""`stagegate gate check` against a live portal: exit 0 allowed, 1 denied, 2 pending or timed out."""

import hashlib
import json
import subprocess
import sys
import time

import pytest

from signoff import services
from signoff.models import Decision
from tests.client.conftest import client_env
from tests.signoff.helpers import reviews_by_function, supply_evidence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_allowed_exits_0_and_says_so(portal, running):
    run = portal.run("gate", "check", running.slug, "--stage", "1")
    assert run.code == 0, run.said
    assert run.out.startswith(f"Allowed: {running.slug}")
    assert "may run at stage 1" in run.out


def test_denied_exits_1_and_names_each_unmet_requirement(portal, running):
    answer = json.loads(portal.run("gate", "check", running.slug, "--stage", "2", "--json").out)
    unmet = [r for r in answer["requirements"] if not r["met"]]
    assert unmet

    run = portal.run("gate", "check", running.slug, "--stage", "2")
    assert run.code == 1, run.said
    label = answer["version"]["label"]
    assert run.out.startswith(f"Denied: {running.slug} version {label} may not run at stage 2.")
    for requirement in unmet:
        assert f"{requirement['detail']} [{requirement['key']}]" in run.out
    met = [r for r in answer["requirements"] if r["met"]]
    assert all(f"[{r['key']}]" not in run.out for r in met)


def test_json_prints_the_portals_answer_with_the_same_exit_codes(portal, running):
    allowed = portal.run("gate", "check", running.slug, "--stage", "1", "--json")
    denied = portal.run("gate", "check", running.slug, "--stage", "2", "--json")
    assert (allowed.code, denied.code) == (0, 1)
    assert json.loads(allowed.out)["allowed"] is True
    answer = json.loads(denied.out)
    assert (answer["allowed"], answer["stage"]) == (False, 2)
    assert {"key", "met", "detail"} == set(answer["requirements"][0])


def test_wait_returns_at_once_when_denied_with_nothing_pending(portal, running):
    started = time.monotonic()
    run = portal.run("gate", "check", running.slug, "--stage", "2", "--wait", "--timeout", "5m", "--interval", "1s")
    assert run.code == 1, run.said
    assert run.out.startswith("Denied:")
    assert time.monotonic() - started < 30


def test_wait_on_an_allowed_answer_exits_0(portal, running):
    run = portal.run("gate", "check", running.slug, "--stage", "1", "--wait", "--timeout", "1m")
    assert run.code == 0, run.said


def test_flags_override_the_environment(portal, running, closed_port):
    # STAGEGATE_URL names a dead port and STAGEGATE_TOKEN is junk; --url and --token are what count.
    run = portal.run(
        "gate", "check", running.slug, "--stage", "1", "--url", portal.url, "--token", portal.token, token="sg_junk"
    )
    assert run.code == 0, run.said
    ahead = portal.run("--url", portal.url, "--token", portal.token, "gate", "check", running.slug, "--stage", "1")
    assert ahead.code == 0, ahead.said


# What the contract adds: the version or digest a pipeline asks about, and `pending`.


def _push_version(portal, slug: str, label: str, config) -> None:
    run = portal.run(
        "version", "push", slug, "--label", label, "--provider", "Azure OpenAI", "--model", "gpt-4o-2024-08-06",
        "--config", str(config), "--metric", "faithfulness=0.93:0.9",
    )  # fmt: skip
    assert run.code == 0, run.said


def test_the_gate_answers_for_the_version_or_digest_asked_about(portal, use_case, erin, tmp_path):
    current, candidate = tmp_path / "current.yaml", tmp_path / "candidate.yaml"
    current.write_text("temperature: 0.1\n")
    candidate.write_text("temperature: 0.7\n")
    _push_version(portal, use_case.slug, "1.0", current)
    supply_evidence(use_case, 1)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    services.readiness_request_submit(request=request, actor=erin)
    _push_version(portal, use_case.slug, "2.0", candidate)

    assert portal.run("gate", "check", use_case.slug, "--stage", "1").code == 0
    assert portal.run("gate", "check", use_case.slug, "--stage", "1", "--version", "1.0").code == 0
    denied = portal.run("gate", "check", use_case.slug, "--stage", "1", "--version", "2.0")
    assert denied.code == 1, denied.said
    assert denied.out.startswith(f"Denied: {use_case.slug} version 2.0 may not run at stage 1.")
    digest = "sha256:" + hashlib.sha256(current.read_bytes()).hexdigest()
    by_digest = portal.run("gate", "check", use_case.slug, "--stage", "1", "--digest", digest, "--json")
    assert by_digest.code == 0, by_digest.said
    assert json.loads(by_digest.out)["version"]["label"] == "1.0"


@pytest.fixture
def in_review_version(in_review):
    """The label of the version whose stage-3 request is in review."""
    return in_review.version.label


def test_pending_exits_2_and_says_a_request_is_in_review(portal, credit, in_review_version):
    run = portal.run("gate", "check", credit.slug, "--stage", "3", "--version", in_review_version)
    assert run.code == 2, run.said
    assert run.out.startswith(f"Pending: {credit.slug} version {in_review_version} may not run at stage 3 yet.")
    assert "in review" in run.out


def test_wait_times_out_with_exit_2_while_the_request_stays_in_review(portal, credit, in_review_version):
    started = time.monotonic()
    run = portal.run(
        "gate", "check", credit.slug, "--stage", "3", "--version", in_review_version,
        "--wait", "--timeout", "3s", "--interval", "1s",
    )  # fmt: skip
    assert run.code == 2, run.said
    assert "timed out after 3s" in run.err
    assert run.err.count("asking again") >= 2
    assert time.monotonic() - started < 60


def test_wait_ends_allowed_once_the_request_is_approved(portal, credit, in_review, in_review_version, rita, carl, lena):
    waiting = subprocess.Popen(
        [sys.executable, "-m", "stagegate", "gate", "check", credit.slug, "--stage", "3",
         "--version", in_review_version, "--wait", "--timeout", "2m", "--interval", "1s"],
        env=client_env(portal.url, portal.token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        time.sleep(3)
        assert waiting.poll() is None, waiting.communicate()
        reviews = reviews_by_function(in_review)
        for who, function in ((rita, "risk"), (carl, "compliance"), (lena, "legal")):
            services.review_decide(review=reviews[function], actor=who, decision=Decision.APPROVE)
        out, err = waiting.communicate(timeout=60)
    finally:
        waiting.kill()
    assert waiting.returncode == 0, out + err
    assert out.startswith(f"Allowed: {credit.slug} version {in_review_version} may run at stage 3")
    assert "asking again" in err
