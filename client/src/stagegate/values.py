"""What the command line takes: durations, stages, digests, metrics, evidence files, answers.

Each parser raises ValueError with a sentence that says what was expected;
the command line turns it into a usage error (exit 2) naming the option.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HIGHEST_STAGE = 4
DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_CHUNK = 1024 * 1024


def parse_duration(text: str) -> float:
    """Seconds in `30m`, `15s`, `1h30m`, `500ms` or a bare number of seconds; always more than zero."""
    raw = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        seconds = float(raw)
    else:
        parts = _DURATION_PART.findall(raw)
        if not parts or "".join(number + unit for number, unit in parts) != raw:
            raise ValueError(f"{text!r} is not a duration: write e.g. 30m, 15s, 1h30m or 90 (seconds).")
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{text!r} is not a duration longer than zero.")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest of `1h30m`, `15s`, `2.5s` for a number of seconds, as people write it back."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:g}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{value}{unit}" for value, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if value)
    return text or "0s"


def parse_stage(text: str, *, lowest: int = 0) -> int:
    """One ASCII digit from `lowest` to 4, as the gate takes it."""
    if len(text) != 1 or not ("0" <= text <= "9") or not lowest <= int(text) <= HIGHEST_STAGE:
        raise ValueError(f"the stage is one digit from {lowest} to {HIGHEST_STAGE}, not {text!r}.")
    return int(text)


def parse_digest(text: str) -> str:
    """`sha256:` and 64 hexadecimal digits, lower-cased as the portal stores them."""
    digest = text.strip().lower()
    if not DIGEST_RE.fullmatch(digest):
        raise ValueError(f"{text!r} is not a digest: write sha256: followed by 64 hexadecimal digits.")
    return digest


def file_digest(path: Path) -> str:
    """The `sha256:` of a file's bytes, read in chunks so a large file costs no memory."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
    return f"sha256:{sha.hexdigest()}"


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"the {what} {text!r} is not a number.") from None
    if not math.isfinite(value):
        raise ValueError(f"the {what} {text!r} is not a finite number.")
    return value


def _name_and_rest(text: str, shape: str) -> tuple[str, str]:
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name or not rest:
        raise ValueError(f"{text!r} is not of the form {shape}.")
    return name, rest


@dataclass(frozen=True)
class MetricSpec:
    """An evaluation metric of a version: its value and the threshold it must meet."""

    name: str
    value: float
    threshold: float
    direction: str = "gte"
    critical: bool = False

    def as_api(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "threshold": self.threshold,
            "direction": self.direction,
            "critical": self.critical,
        }


def parse_metric_spec(text: str) -> MetricSpec:
    """`name=value:threshold[:gte|lte][:critical]`; gte (at least the threshold) unless told lte (at most).

    `critical`: a breach of the threshold in production suspends the use case where the portal's policy says so.
    """
    shape = "name=value:threshold[:gte|lte][:critical], e.g. accuracy=0.93:0.9 or latency_p95=812:1000:lte:critical"
    name, rest = _name_and_rest(text, shape)
    parts = rest.split(":")
    critical = len(parts) > 2 and parts[-1].strip().lower() == "critical"
    if critical:
        parts = parts[:-1]
    if len(parts) not in (2, 3):
        raise ValueError(f"{text!r} is not of the form {shape}.")
    direction = parts[2].strip().lower() if len(parts) == 3 else "gte"
    if direction not in ("gte", "lte"):
        raise ValueError(f"the direction in {text!r} is gte (at least) or lte (at most), not {parts[2]!r}.")
    return MetricSpec(name, _number(parts[0], "value"), _number(parts[1], "threshold"), direction, critical)


def parse_observation(text: str) -> tuple[str, float]:
    """`name=value`: one observed value of a metric in production."""
    name, rest = _name_and_rest(text, "name=value, e.g. latency_p95=812")
    return name, _number(rest, "value")


def parse_evidence(text: str) -> tuple[str, Path]:
    """`KIND=FILE`: a file to upload as evidence of a kind (evaluation_report, model_card, ...)."""
    kind, rest = _name_and_rest(text, "KIND=FILE, e.g. evaluation_report=eval.pdf")
    return kind, existing_file(rest)


def existing_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise ValueError(f"{text!r} is not a file that can be read.")
    return path


def parse_answer(text: str) -> tuple[str, bool]:
    """`QUESTION=yes|no`: one answer of the readiness check."""
    question, rest = _name_and_rest(text, "QUESTION=yes|no, e.g. business_kpi=yes")
    answers = {"yes": True, "true": True, "no": False, "false": False}
    if rest.strip().lower() not in answers:
        raise ValueError(f"the answer in {text!r} is yes or no, not {rest!r}.")
    return question, answers[rest.strip().lower()]


def parse_note(text: str) -> tuple[str, str]:
    """`QUESTION=TEXT`: a note beside one answer of the readiness check."""
    return _name_and_rest(text, "QUESTION=TEXT")


def parse_timestamp(text: str) -> str:
    """An ISO 8601 moment with its offset (`2026-11-02T10:00:00Z`), sent back in the portal's spelling."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 moment, e.g. 2026-11-02T10:00:00Z.") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: add Z or an offset such as +01:00.")
    return moment.isoformat()
