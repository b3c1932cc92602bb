"""`stagegate evidence push`: one file, one kind, one call."""

import hashlib
import json

import pytest

from lifecycle.models import Artifact
from tests import factories
from tests.client.conftest import live
from tests.lifecycle.files import PDF, TEXT


@pytest.fixture
def drill(tmp_path):
    path = tmp_path / "rollback-drill.txt"
    path.write_bytes(TEXT)
    return path


@live
def test_uploads_the_file_as_evidence_of_its_kind(portal, use_case, erin, drill):
    run = portal.run("evidence", "push", use_case.slug, str(drill), "--kind", "rollback_test", "--title", "Drill")
    assert run.code == 0, run.said
    artifact = Artifact.objects.get(use_case=use_case)
    assert (artifact.kind, artifact.title, artifact.uploaded_by, artifact.is_current) == (
        "rollback_test",
        "Drill",
        erin,
        True,
    )
    assert artifact.sha256 == hashlib.sha256(TEXT).hexdigest()
    assert run.out == (
        f"Uploaded rollback_test for {use_case.slug}: artifact #{artifact.pk}, sha256 {artifact.sha256}, "
        f"{len(TEXT)} bytes.\n"
    )


@live
def test_json_prints_the_new_artifact(portal, use_case, tmp_path):
    report = tmp_path / "eval.pdf"
    report.write_bytes(PDF)
    run = portal.run("evidence", "push", use_case.slug, str(report), "--kind", "evaluation_report", "--json")
    assert run.code == 0, run.said
    artifact = json.loads(run.out)
    assert (artifact["kind"], artifact["original_name"]) == ("evaluation_report", "eval.pdf")
    assert artifact["sha256"] == hashlib.sha256(PDF).hexdigest()


@live
def test_a_kind_the_portal_does_not_know_is_refused_with_exit_1(portal, use_case, drill):
    run = portal.run("evidence", "push", use_case.slug, str(drill), "--kind", "horoscope")
    assert run.code == 1
    assert 'The portal refused this (HTTP 400): kind: "horoscope" is not a valid choice.' in run.err
    assert not Artifact.objects.exists()


@live
def test_a_file_the_portal_will_not_take_is_refused_saying_why(portal, use_case, tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"not a pdf at all")
    run = portal.run("evidence", "push", use_case.slug, str(fake), "--kind", "evaluation_report")
    assert run.code == 1
    assert "HTTP 400" in run.err
    assert "file:" in run.err


@live
def test_the_same_bytes_again_are_recognised_and_change_nothing(portal, use_case, drill):
    first = portal.run("evidence", "push", use_case.slug, str(drill), "--kind", "rollback_test")
    again = portal.run("evidence", "push", use_case.slug, str(drill), "--kind", "rollback_test")
    assert (first.code, again.code) == (0, 0), again.said
    artifact = Artifact.objects.get(use_case=use_case)
    assert again.out.startswith(f"Already there: the same bytes are the current rollback_test for {use_case.slug}")
    assert f"artifact #{artifact.pk}" in again.out


@live
def test_evidence_of_a_version_is_named_by_its_label(portal, use_case, drill):
    factories.ModelVersionFactory(use_case=use_case, label="2.1")
    run = portal.run("evidence", "push", use_case.slug, str(drill), "--kind", "rollback_test", "--version", "2.1")
    assert run.code == 0, run.said
    assert Artifact.objects.get(use_case=use_case).version.label == "2.1"
    assert "rollback_test of version 2.1" in run.out
