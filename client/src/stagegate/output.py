"""The portal's answers in plain words for a pipeline's log, or as the JSON it sent (`--json`)."""

from __future__ import annotations

import json
from typing import Any


def as_json(body: Any) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False)


def _subject(slug: str, answer: dict[str, Any]) -> str:
    version = answer.get("version")
    if isinstance(version, dict) and version.get("label"):
        return f"{slug} version {version['label']}"
    return slug


def _approval(answer: dict[str, Any]) -> str:
    approval = answer.get("approval")
    if not isinstance(approval, dict):
        return ""
    said = [f"approved by request #{approval['request']}"] if approval.get("request") else []
    if approval.get("target_stage") is not None:
        said.append(f"for stage {approval['target_stage']}")
    if approval.get("approved_at"):
        said.append(f"on {approval['approved_at']}")
    if approval.get("packet_id"):
        said.append(f"sign-off packet {approval['packet_id']}")
    return f" ({', '.join(said)})" if said else ""


def gate_verdict(answer: dict[str, Any]) -> str:
    """`allowed`, `pending` (denied for now, with a request in review that may change it) or `denied`."""
    if answer.get("allowed") is True:
        return "allowed"
    if answer.get("pending") is True:
        return "pending"
    return "denied"


def gate_text(slug: str, answer: dict[str, Any]) -> str:
    stage = answer.get("stage")
    subject = _subject(slug, answer)
    verdict = gate_verdict(answer)
    if verdict == "allowed":
        return f"Allowed: {subject} may run at stage {stage}{_approval(answer)}."
    if verdict == "pending":
        lines = [
            f"Pending: {subject} may not run at stage {stage} yet. A readiness request for it is in review, "
            "so the answer may change (--wait keeps asking)."
        ]
    else:
        lines = [f"Denied: {subject} may not run at stage {stage}."]
    unmet = [r for r in answer.get("requirements", []) if isinstance(r, dict) and not r.get("met")]
    if unmet:
        lines.append("Unmet requirements:")
        lines.extend(f"  - {r.get('detail') or r.get('key')} [{r.get('key')}]" for r in unmet)
    return "\n".join(lines)


def _digests(version: dict[str, Any]) -> str:
    named = [
        f"{name} {version[key]}"
        for name, key in (("config", "config_digest"), ("image", "image_digest"), ("weights", "weights_digest"))
        if version.get(key)
    ]
    return f" ({', '.join(named)})" if named else ""


def version_text(slug: str, status: int, version: dict[str, Any]) -> str:
    label = version.get("label", "?")
    if status == 201:
        return f"Registered version {label} of {slug}{_digests(version)}."
    return f"Version {label} of {slug} is already registered with the same digests; nothing changed."


def artifact_text(slug: str, status: int, artifact: dict[str, Any]) -> str:
    kind = artifact.get("kind", "evidence")
    of_version = f" of version {artifact['version']}" if artifact.get("version") else ""
    what = f"{kind}{of_version} for {slug}: artifact #{artifact.get('id')}, sha256 {artifact.get('sha256')}"
    if status == 201:
        return f"Uploaded {what}, {artifact.get('size')} bytes."
    return f"Already there: the same bytes are the current {what}; nothing changed."


def request_text(request: dict[str, Any]) -> str:
    version = f", version {request['version']}" if request.get("version") else ""
    lines = [
        f"Readiness request #{request.get('id')} for {request.get('use_case')}: "
        f"stage {request.get('from_stage')} to {request.get('target_stage')}{version}, state {request.get('state')}.",
        f"  {request.get('url')}",
    ]
    gate = request.get("gate")
    unmet = [r for r in gate.get("requirements", []) if not r.get("met")] if isinstance(gate, dict) else []
    if unmet:
        lines.append("The gate still lacks:")
        lines.extend(f"  - {r.get('detail') or r.get('key')} [{r.get('key')}]" for r in unmet)
    return "\n".join(lines)


def refusal_lines(body: Any) -> list[str]:
    """A refused write's messages one per line: what the request still lacks, a field's error."""
    if isinstance(body, dict):
        lines: list[str] = []
        for key, value in body.items():
            prefix = "" if key in ("detail", "non_field_errors") else f"{key}: "
            lines.extend(prefix + line for line in refusal_lines(value))
        return lines
    if isinstance(body, list):
        return [line for item in body for line in refusal_lines(item)]
    return [str(body)] if body not in (None, "") else []


def readiness_text(slug: str, body: Any) -> str:
    answers = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(answers, dict):
        return f"Recorded the readiness answers of {slug}."
    lines = [f"Readiness answers of {slug}:"]
    for question, given in answers.items():
        answer = given.get("answer") if isinstance(given, dict) else given
        lines.append(f"  - {question}: {_yes_no(answer)}")
    return "\n".join(lines)


def _yes_no(answer: Any) -> str:
    if answer is None:
        return "not answered"
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return str(answer)


def observations_text(slug: str, label: str, count: int, body: Any = None) -> str:
    """What a push did: how many were recorded and, when the portal says so, which breached and what followed."""
    plural = "observation" if count == 1 else "observations"
    lines = [f"Recorded {count} {plural} of {slug} version {label}."]
    if isinstance(body, dict):
        breached = [str(name) for name in body.get("breached") or []]
        if breached:
            lines.append(f"Breached a threshold: {', '.join(breached)}; a finding is open for each.")
        if body.get("suspended") is True:
            lines.append(f"A critical threshold was breached: {slug} is suspended and its gate denies.")
    return "\n".join(lines)
