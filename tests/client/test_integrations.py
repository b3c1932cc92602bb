"""integrations/: the GitHub Action, the GitLab CI template and the Argo Rollouts AnalysisTemplate.

Each file parses and has what its tool requires. The shell they run is run
here, as the CI would run it: with a `stagegate` that records its arguments
(which the client's own parser must accept), and with the real client against
a live portal, where the step's exit status must be the gate's answer.
"""

import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from stagegate import cli
from tests.client.conftest import CLIENT_SRC, client_env, live

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "integrations" / "github" / "action.yml"
GITLAB = ROOT / "integrations" / "gitlab" / "stagegate.gitlab-ci.yml"
ARGO = ROOT / "integrations" / "argo" / "analysis-template.yaml"
INPUTS = {"url", "token", "use-case", "stage", "version", "wait", "timeout"}
GITLAB_JOB_KEYS = {"image", "variables", "before_script", "script", "after_script", "stage", "rules", "tags"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def recording_stagegate(bin_dir: Path, exit_code: int = 0) -> Path:
    """A `stagegate` on the PATH that writes its arguments, one a line, and exits as told."""
    record = bin_dir / "argv"
    stub = bin_dir / "stagegate"
    stub.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{record}'\nexit {exit_code}\n")
    stub.chmod(0o755)
    return record


def real_stagegate(bin_dir: Path) -> None:
    """The client of this working copy as the `stagegate` command, as the install step leaves it."""
    launcher = bin_dir / "stagegate"
    launcher.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m stagegate \"$@\"\n")
    launcher.chmod(0o755)


def run_shell(shell: list[str], script: str, env: dict[str, str], bin_dir: Path) -> subprocess.CompletedProcess:
    env = {**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": str(CLIENT_SRC)}
    return subprocess.run([*shell, script], env=env, capture_output=True, text=True, timeout=120, check=False)


def recorded_args(record: Path):
    """What the script passed, parsed by the client's own parser: a command the client has, or SystemExit."""
    argv = record.read_text().splitlines()
    args = cli.build_parser().parse_args(argv)
    assert args.handler is cli._gate_check
    return args


# The GitHub Action.

GITHUB_RUN = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]


def github_step(name: str) -> dict:
    return next(step for step in load(GITHUB)["runs"]["steps"] if step.get("name") == name)


def github_env(step: dict, inputs: dict[str, str]) -> dict[str, str]:
    """The step's env with `${{ inputs.x }}` replaced as the runner would: given inputs, else the defaults."""
    declared = load(GITHUB)["inputs"]
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()} | inputs

    def value(expression: str) -> str:
        match = re.fullmatch(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", expression)
        assert match and match.group(1) in declared, expression
        return values[match.group(1)]

    return {key: value(expression) for key, expression in step["env"].items()}


def test_the_action_is_a_composite_action_with_the_inputs_it_documents():
    action = load(GITHUB)
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == INPUTS
    assert {name for name, spec in action["inputs"].items() if spec.get("required")} == {
        "url",
        "token",
        "use-case",
        "stage",
    }
    assert all(spec.get("description") for spec in action["inputs"].values())
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash", step["name"]
        assert "${{" not in step["run"], f"{step['name']}: inputs go through env, never into the script"


def test_the_action_installs_the_client_from_its_own_checkout():
    install = github_step("Install the stagegate client")["run"]
    assert '"$GITHUB_ACTION_PATH/../../client"' in install
    assert (GITHUB.parent / ".." / ".." / "client" / "pyproject.toml").resolve().is_file()


def test_the_action_passes_every_input_to_the_client(tmp_path):
    record = recording_stagegate(tmp_path)
    step = github_step("Ask the gate")
    inputs = {"use-case": "credit-scoring", "stage": "3", "version": "1.4.0", "wait": "true", "timeout": "10m"}
    ran = run_shell(GITHUB_RUN, step["run"], github_env(step, inputs), tmp_path)
    assert ran.returncode == 0, ran.stderr
    args = recorded_args(record)
    assert (args.slug, args.stage, args.version, args.wait, args.timeout) == ("credit-scoring", 3, "1.4.0", True, 600)


def test_the_action_leaves_out_what_is_not_given(tmp_path):
    record = recording_stagegate(tmp_path)
    step = github_step("Ask the gate")
    ran = run_shell(GITHUB_RUN, step["run"], github_env(step, {"use-case": "x", "stage": "1"}), tmp_path)
    assert ran.returncode == 0, ran.stderr
    args = recorded_args(record)
    assert (args.version, args.wait, args.timeout) == (None, False, None)


@pytest.mark.parametrize("exit_code", [1, 2])
def test_the_action_fails_the_step_unless_allowed(tmp_path, exit_code):
    recording_stagegate(tmp_path, exit_code=exit_code)
    step = github_step("Ask the gate")
    ran = run_shell(GITHUB_RUN, step["run"], github_env(step, {"use-case": "x", "stage": "1"}), tmp_path)
    assert ran.returncode == exit_code


# The GitLab CI template.


def gitlab_job() -> dict:
    return load(GITLAB)[".stagegate-gate"]


def gitlab_script(part: str) -> str:
    return "\n".join(gitlab_job()[part])


def gitlab_env(**variables: str) -> dict[str, str]:
    return {key: str(value) for key, value in gitlab_job()["variables"].items()} | variables


def test_the_gitlab_template_is_a_hidden_job_to_extend():
    template = load(GITLAB)
    assert list(template) == [".stagegate-gate"]
    job = gitlab_job()
    assert set(job) <= GITLAB_JOB_KEYS
    assert job["image"] and job["script"]
    assert {
        "STAGEGATE_CLIENT",
        "STAGEGATE_USE_CASE",
        "STAGEGATE_STAGE",
        "STAGEGATE_VERSION",
        "STAGEGATE_WAIT",
        "STAGEGATE_TIMEOUT",
    } == set(job["variables"])
    assert all(isinstance(value, str) for value in job["variables"].values())


def test_the_gitlab_template_never_installs_the_unrelated_package_of_the_same_name(tmp_path):
    ran = run_shell(["sh", "-ec"], gitlab_job()["before_script"][0], gitlab_env(), tmp_path)
    assert ran.returncode == 2
    assert "Set STAGEGATE_CLIENT" in ran.stderr
    assert '"$STAGEGATE_CLIENT"' in gitlab_job()["before_script"][1]


def test_the_gitlab_template_passes_its_variables_to_the_client(tmp_path):
    record = recording_stagegate(tmp_path)
    env = gitlab_env(STAGEGATE_USE_CASE="credit-scoring", STAGEGATE_STAGE="4", STAGEGATE_VERSION="2.0")
    ran = run_shell(["sh", "-ec"], gitlab_script("script"), env | {"STAGEGATE_WAIT": "true"}, tmp_path)
    assert ran.returncode == 0, ran.stderr
    args = recorded_args(record)
    assert (args.slug, args.stage, args.version, args.wait, args.timeout) == ("credit-scoring", 4, "2.0", True, 1800)

    ran = run_shell(
        ["sh", "-ec"], gitlab_script("script"), gitlab_env(STAGEGATE_USE_CASE="x", STAGEGATE_STAGE="1"), tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert (recorded_args(record).version, recorded_args(record).wait) == (None, False)


# The Argo Rollouts AnalysisTemplate.


def argo_args(template: dict) -> dict[str, dict]:
    return {arg["name"]: arg for arg in template["spec"]["args"]}


def argo_fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{\{\s*args\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], text)


def test_the_analysis_template_asks_the_gate_with_a_token_from_a_secret():
    template = load(ARGO)
    assert (template["apiVersion"], template["kind"]) == ("argoproj.io/v1alpha1", "AnalysisTemplate")
    assert template["metadata"]["name"]
    args = argo_args(template)
    assert set(args) == {"stagegate-url", "use-case", "stage", "version", "stagegate-token"}
    assert set(args["stagegate-token"]["valueFrom"]["secretKeyRef"]) == {"name", "key"}
    [metric] = template["spec"]["metrics"]
    assert metric["successCondition"] == "result.allowed == true"
    web = metric["provider"]["web"]
    assert "jsonPath" not in web  # the whole answer is `result`
    referenced = set(re.findall(r"\{\{\s*args\.([\w-]+)\s*\}\}", ARGO.read_text()))
    assert referenced == set(args)
    headers = {h["key"]: h["value"] for h in web["headers"]}
    assert headers["Authorization"] == "Bearer {{args.stagegate-token}}"


def test_the_analysis_template_url_is_the_gate_endpoint():
    web = load(ARGO)["spec"]["metrics"][0]["provider"]["web"]
    values = {"stagegate-url": "https://sg.example", "use-case": "credit-scoring", "stage": "3", "version": "1.4.0"}
    url = urlsplit(argo_fill(web["url"], values))
    assert (url.scheme, url.netloc, url.path) == ("https", "sg.example", "/api/v1/use-cases/credit-scoring/gate/")
    assert parse_qs(url.query) == {"stage": ["3"], "version": ["1.4.0"]}


# Each integration against a live portal, with the real client.


@live
def test_the_actions_step_passes_when_allowed_and_fails_when_denied(portal, running, tmp_path):
    slug, label = running.slug, running.versions.get().label
    real_stagegate(tmp_path)
    step = github_step("Ask the gate")
    given = {"url": portal.url, "token": portal.token, "use-case": slug, "version": label}
    allowed = run_shell(GITHUB_RUN, step["run"], github_env(step, given | {"stage": "1"}), tmp_path)
    denied = run_shell(GITHUB_RUN, step["run"], github_env(step, given | {"stage": "2"}), tmp_path)
    assert (allowed.returncode, denied.returncode) == (0, 1), allowed.stderr + denied.stderr
    assert allowed.stdout.startswith(f"Allowed: {slug}")
    assert denied.stdout.startswith(f"Denied: {slug}")


@live
def test_the_gitlab_job_passes_when_allowed_and_fails_when_denied(portal, running, tmp_path):
    slug, label = running.slug, running.versions.get().label
    real_stagegate(tmp_path)
    env = client_env(portal.url, portal.token) | gitlab_env(STAGEGATE_USE_CASE=slug, STAGEGATE_VERSION=label)
    allowed = run_shell(["sh", "-ec"], gitlab_script("script"), env | {"STAGEGATE_STAGE": "1"}, tmp_path)
    denied = run_shell(["sh", "-ec"], gitlab_script("script"), env | {"STAGEGATE_STAGE": "2"}, tmp_path)
    assert (allowed.returncode, denied.returncode) == (0, 1), allowed.stderr + denied.stderr


@live
def test_the_analysis_templates_request_gets_an_answer_its_condition_reads(portal, running):
    slug, label = running.slug, running.versions.get().label
    template = load(ARGO)
    web = template["spec"]["metrics"][0]["provider"]["web"]
    values = {"stagegate-url": portal.url, "use-case": slug, "version": label, "stagegate-token": portal.token}
    results = {}
    for stage in ("1", "2"):
        headers = {h["key"]: argo_fill(h["value"], values) for h in web["headers"]}
        response = httpx.get(argo_fill(web["url"], values | {"stage": stage}), headers=headers, timeout=30)
        assert response.status_code == 200, response.text
        results[stage] = response.json()["allowed"]
    assert results == {"1": True, "2": False}


# The copy-paste examples in the READMEs.


def _code_blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(), flags=re.DOTALL)


def test_the_readme_examples_use_the_inputs_and_variables_the_integrations_have():
    blocks = [yaml.safe_load(block) for block in _code_blocks(ROOT / "README.md", "yaml")]
    [step] = [b[0] for b in blocks if isinstance(b, list) and "integrations/github" in b[0].get("uses", "")]
    assert set(step["with"]) <= set(load(GITHUB)["inputs"])
    [job] = [b["may-run-at-stage-3"] for b in blocks if isinstance(b, dict) and "may-run-at-stage-3" in b]
    assert job["extends"] == ".stagegate-gate"
    assert set(job["variables"]) <= set(gitlab_job()["variables"])
    [rollout] = [b for b in blocks if isinstance(b, dict) and "strategy" in b]
    analysis = rollout["strategy"]["blueGreen"]["prePromotionAnalysis"]
    assert analysis["templates"] == [{"templateName": load(ARGO)["metadata"]["name"]}]
    required = {name for name, arg in argo_args(load(ARGO)).items() if "value" not in arg and "valueFrom" not in arg}
    assert {arg["name"] for arg in analysis["args"]} == required


def test_every_stagegate_command_in_the_readmes_is_one_the_client_takes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("prompt.yaml", "eval.pdf", "rollback.pdf"):
        (tmp_path / name).write_bytes(b"example")
    commands = []
    for readme in (ROOT / "README.md", ROOT / "client" / "README.md"):
        for block in _code_blocks(readme, "sh"):
            text = block.replace("\\\n", " ")
            commands += [line.split("#")[0] for line in text.splitlines() if line.startswith("stagegate ")]
    assert len(commands) >= 8
    for command in commands:
        argv = shlex.split(command.replace("sha256:...", "sha256:" + "0" * 64))[1:]
        args = cli.build_parser().parse_args(argv)
        assert args.handler, command
