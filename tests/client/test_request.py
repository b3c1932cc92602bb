"""`stagegate request`: open (and by default submit) a readiness request; say what the gate still lacks."""

import json

import pytest

from signoff.models import ReadinessRequest, RequestState
from tests import factories
from tests.client.conftest import live
from tests.signoff.helpers import supply_evidence


@pytest.fixture
def ready(use_case):
    """erin's use case with everything stage 1 asks for."""
    supply_evidence(use_case, 1)
    return use_case


@pytest.fixture
def bare(credit):
    """credit-scoring at stage 2 with a version but without the stage-3 evidence a submission needs."""
    credit.artifacts.all().delete()
    return credit


@live
def test_creates_and_submits_and_prints_id_state_and_url(portal, ready):
    run = portal.run("request", ready.slug, "--stage", "1", "--justification", "Pilot with five agents.")
    assert run.code == 0, run.said
    request = ReadinessRequest.objects.get(use_case=ready)
    assert request.justification == "Pilot with five agents."
    assert request.state != RequestState.DRAFT
    assert run.out.startswith(
        f"Readiness request #{request.pk} for {ready.slug}: stage 0 to 1, version {request.version.label}, "
        f"state {request.state}.\n"
    )
    assert f"{portal.url}/api/v1/readiness-requests/{request.pk}/" in run.out


@live
def test_no_submit_leaves_a_draft_and_lists_what_the_gate_lacks(portal, bare):
    run = portal.run("request", bare.slug, "--stage", "3", "--no-submit", "--json")
    assert run.code == 0, run.said
    answer = json.loads(run.out)
    assert answer["state"] == RequestState.DRAFT
    unmet = [r for r in answer["gate"]["requirements"] if not r["met"]]

    ReadinessRequest.objects.all().delete()
    run = portal.run("request", bare.slug, "--stage", "3", "--no-submit")
    assert run.code == 0, run.said
    assert "state draft." in run.out
    assert "The gate still lacks:" in run.out
    for requirement in unmet:
        assert f"  - {requirement['detail']} [{requirement['key']}]" in run.out


@live
def test_a_submission_the_gate_refuses_is_exit_1_listing_what_is_missing(portal, bare):
    run = portal.run("request", bare.slug, "--stage", "3")
    assert run.code == 1
    assert run.out == ""
    assert run.err.startswith("stagegate: The portal refused this (HTTP 400):\n")
    assert "  - Missing: Rollback test record.\n" in run.err
    assert "  - Missing: Communication plan.\n" in run.err
    # Create-and-submit is one call: a refused submission leaves no draft behind.
    assert not ReadinessRequest.objects.exists()


@live
def test_a_second_request_while_one_is_open_is_refused_naming_it(portal, bare):
    first = portal.run("request", bare.slug, "--stage", "3", "--no-submit")
    second = portal.run("request", bare.slug, "--stage", "3", "--no-submit")
    assert (first.code, second.code) == (0, 1)
    request = ReadinessRequest.objects.get()
    assert f"already has an open readiness request (#{request.pk})" in second.err


@live
def test_the_version_named_is_the_one_asked_for(portal, ready):
    older = ready.versions.get()
    factories.ModelVersionFactory(use_case=ready, label="9.9")
    run = portal.run("request", ready.slug, "--stage", "1", "--version", older.label, "--no-submit")
    assert run.code == 0, run.said
    assert ReadinessRequest.objects.get().version == older


@live
def test_a_retried_step_with_the_same_idempotency_key_gets_the_first_answer(portal, bare):
    first = portal.run("request", bare.slug, "--stage", "3", "--no-submit", "--idempotency-key", "deploy-42-request")
    retried = portal.run("request", bare.slug, "--stage", "3", "--no-submit", "--idempotency-key", "deploy-42-request")
    assert (first.code, retried.code) == (0, 0), retried.said
    assert first.out == retried.out
    assert ReadinessRequest.objects.count() == 1
