"""The command line itself: what it accepts, what it refuses before asking anyone, how it is packaged."""

import tomllib
import uuid
from pathlib import Path

import pytest

from stagegate import __version__, cli
from stagegate.api import Client, Unanswered, base_url_from, token_from

CLIENT = Path(__file__).resolve().parents[2] / "client"
DIGEST = "sha256:" + "0f" * 32


def parse(*argv: str):
    return cli.build_parser().parse_args(argv)


def refused_usage(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main(list(argv))
    assert exited.value.code == 2
    return capsys.readouterr().err


def test_gate_check_takes_a_slug_a_stage_and_one_subject():
    args = parse("gate", "check", "credit-scoring", "--stage", "3", "--digest", DIGEST.upper(), "--wait")
    assert (args.slug, args.stage, args.version, args.digest, args.wait) == ("credit-scoring", 3, None, DIGEST, True)
    assert args.handler is cli._gate_check


def test_version_and_digest_exclude_each_other(capsys):
    err = refused_usage(capsys, "gate", "check", "x", "--stage", "3", "--version", "1.0", "--digest", DIGEST)
    assert "not allowed with argument" in err


def test_timeout_and_interval_go_with_wait(capsys):
    err = refused_usage(capsys, "gate", "check", "x", "--stage", "3", "--timeout", "5m")
    assert "--timeout and --interval go with --wait" in err
    assert parse("gate", "check", "x", "--stage", "3", "--wait", "--timeout", "5m", "--interval", "10s").timeout == 300


def test_connection_options_go_before_or_after_the_command():
    before = parse("--url", "https://a.example", "--token", "sg_a", "gate", "check", "x", "--stage", "1")
    after = parse("gate", "check", "x", "--stage", "1", "--url", "https://b.example", "--request-timeout", "5s")
    neither = parse("gate", "check", "x", "--stage", "1")
    assert (before.url, before.token) == ("https://a.example", "sg_a")
    assert (after.url, after.token, after.request_timeout) == ("https://b.example", None, 5)
    assert (neither.url, neither.token, neither.request_timeout) == (None, None, None)


def test_version_push_needs_a_config_file_or_its_digest(capsys, tmp_path):
    base = ("version", "push", "x", "--label", "1.0", "--provider", "P", "--model", "M")
    assert "one of the arguments --config --config-digest is required" in refused_usage(capsys, *base)
    config = tmp_path / "prompt.txt"
    config.write_text("Be brief.")
    args = parse(*base, "--config", str(config), "--metric", "accuracy=0.9:0.8", "--tool", "a", "--tool", "b")
    assert (args.config, args.tool, args.metric[0].name) == (config, ["a", "b"], "accuracy")
    assert parse(*base, "--config-digest", DIGEST).config_digest == DIGEST


def test_one_file_per_kind_of_evidence(capsys, tmp_path):
    report = tmp_path / "eval.pdf"
    report.write_bytes(b"%PDF-1.4")
    err = refused_usage(
        capsys, "version", "push", "x", "--label", "1.0", "--provider", "P", "--model", "M", "--config-digest", DIGEST,
        "--evidence", f"evaluation_report={report}", "--evidence", f"evaluation_report={report}",
    )  # fmt: skip
    assert "one file per kind of evidence, not several for evaluation_report" in err


def test_a_file_that_does_not_exist_is_refused_before_anything_is_sent(capsys, tmp_path):
    err = refused_usage(capsys, "evidence", "push", "x", str(tmp_path / "missing.pdf"), "--kind", "model_card")
    assert "is not a file that can be read" in err


def test_a_note_needs_an_answer_for_its_question(capsys):
    err = refused_usage(capsys, "readiness", "answer", "x", "--answer", "business_kpi=yes", "--note", "named_owner=Ann")
    assert "a --note needs an --answer for the same question: named_owner" in err


def test_a_metrics_window_has_both_ends(capsys):
    err = refused_usage(
        capsys, "metrics", "push", "x", "--version", "1", "--metric", "a=1", "--window-start", "2026-11-02T10:00:00Z"
    )
    assert "--window-start and --window-end together" in err


def test_request_submits_unless_told_not_to():
    assert parse("request", "x", "--stage", "2").submit is True
    assert parse("request", "x", "--stage", "2", "--no-submit").submit is False


def test_without_an_address_it_says_which_variable_to_set(capsys, monkeypatch):
    monkeypatch.delenv("STAGEGATE_URL", raising=False)
    assert cli.main(["gate", "check", "x", "--stage", "1", "--token", "sg_x"]) == 2
    assert "set STAGEGATE_URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://stagegate.example.com", "https://stagegate.example.com"),
        ("https://stagegate.example.com/", "https://stagegate.example.com"),
        ("https://stagegate.example.com/api/v1/", "https://stagegate.example.com"),
        (" http://127.0.0.1:8000/portal ", "http://127.0.0.1:8000/portal"),
    ],
)
def test_the_portals_address_is_taken_as_people_give_it(given, base):
    assert base_url_from(given) == base


@pytest.mark.parametrize("given", ["stagegate.example.com", "ftp://stagegate.example.com", "https://", ""])
def test_what_is_not_a_portals_address(given):
    with pytest.raises(Unanswered):
        base_url_from(given)


def test_a_token_is_one_printable_word():
    assert token_from(" sg_abc\n") == "sg_abc"
    with pytest.raises(Unanswered, match="spaces or characters"):
        token_from("sg_abc def")
    with pytest.raises(Unanswered, match="STAGEGATE_TOKEN"):
        token_from(None)


def test_each_invocation_has_its_own_idempotency_key_unless_given_one():
    with Client("https://a.example", "sg_x") as one, Client("https://a.example", "sg_x") as two:
        assert uuid.UUID(one.idempotency_key) != uuid.UUID(two.idempotency_key)
    with Client("https://a.example", "sg_x", idempotency_key="deploy-42") as retried:
        assert retried.idempotency_key == "deploy-42"


def test_the_package_installs_the_stagegate_command_and_needs_one_http_library():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "stagegate"
    assert project["scripts"] == {"stagegate": "stagegate.cli:main"}
    assert [dependency.split(">")[0].split("=")[0] for dependency in project["dependencies"]] == ["httpx"]
    assert project["requires-python"] == ">=3.11"
    assert __version__.count(".") == 2


def test_the_client_imports_nothing_of_the_portal():
    for source in (CLIENT / "src" / "stagegate").glob("*.py"):
        text = source.read_text()
        for package in ("django", "rest_framework", "portal", "signoff", "lifecycle", "accounts", "audit", "core"):
            assert f"import {package}" not in text and f"from {package}" not in text, (source.name, package)
