"""`stagegate version push`: a version and its digests, with its evidence, in one call.

201 for a new version, 200 for the same label and digests again, 409 for the same label with others.
"""

import hashlib
import json

import pytest

from lifecycle.models import Artifact
from tests.client.conftest import live
from tests.lifecycle.files import PDF

IMAGE = "sha256:" + "ab" * 32


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "prompt.yaml"
    path.write_text("system: Summarise the ticket in three sentences.\ntemperature: 0.2\n")
    return path


def _push(portal, slug, config, *extra):
    return portal.run(
        "version", "push", slug, "--label", "1.0", "--provider", "Azure OpenAI", "--model", "gpt-4o-2024-08-06",
        "--config", str(config), "--image-digest", IMAGE, *extra,
    )  # fmt: skip


@live
def test_registers_a_version_with_the_digest_of_its_config_file_then_recognises_it(portal, use_case, config):
    digest = "sha256:" + hashlib.sha256(config.read_bytes()).hexdigest()
    first = _push(portal, use_case.slug, config, "--tool", "search", "--metric", "faithfulness=0.93:0.9")
    assert first.code == 0, first.said
    assert first.out == f"Registered version 1.0 of {use_case.slug} (config {digest}, image {IMAGE}).\n"
    version = use_case.versions.get()
    assert (version.agent_tools, [m.name for m in version.metrics.all()]) == (["search"], ["faithfulness"])

    again = _push(portal, use_case.slug, config, "--json")
    assert again.code == 0, again.said
    body = json.loads(again.out)
    assert (body["label"], body["config_digest"], body["image_digest"]) == ("1.0", digest, IMAGE)
    plain = _push(portal, use_case.slug, config)
    assert (
        plain.out == f"Version 1.0 of {use_case.slug} is already registered with the same digests; nothing changed.\n"
    )
    assert use_case.versions.count() == 1


@live
def test_the_same_label_with_another_config_is_refused_naming_the_digest(portal, use_case, config, tmp_path):
    assert _push(portal, use_case.slug, config).code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text("temperature: 0.9\n")
    run = _push(portal, use_case.slug, changed)
    assert run.code == 1
    assert "HTTP 409" in run.err
    assert "config" in run.err.lower()
    assert use_case.versions.count() == 1


@live
def test_evidence_goes_up_with_the_version_in_one_call(portal, use_case, config, tmp_path):
    report = tmp_path / "eval.pdf"
    report.write_bytes(PDF)
    run = _push(portal, use_case.slug, config, "--evidence", f"evaluation_report={report}")
    assert run.code == 0, run.said
    artifact = Artifact.objects.get(use_case=use_case)
    assert (artifact.kind, artifact.version.label) == ("evaluation_report", "1.0")
    assert artifact.sha256 == hashlib.sha256(PDF).hexdigest()
