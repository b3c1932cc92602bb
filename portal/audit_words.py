"""Audit events in words a person reads: "Policy changed", "Assignee: rita → ravi", not codes and dicts."""

from __future__ import annotations

from typing import Any

MAX_VALUE_CHARS = 200


def verb_in_words(verb: str) -> str:
    """'review.handed_over' → 'Review handed over'."""
    return verb.replace(".", " ").replace("_", " ").strip().capitalize()


def _name(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()


def _value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        text = ", ".join(_value(v) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(f"{_name(str(k))}: {_value(v)}" for k, v in value.items())
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def changes_in_words(changes: dict) -> list[str]:
    """One line per field: 'Name: before → after' for a [before, after] pair, 'Name: value' otherwise.

    A {"before": {...}, "after": {...}} pair of whole records (a policy) lists only the fields that differ.
    """
    if not isinstance(changes, dict):
        return [_value(changes)]
    if not changes:
        return []
    before, after = changes.get("before"), changes.get("after")
    if set(changes) == {"before", "after"} and isinstance(before, dict | None) and isinstance(after, dict | None):
        before, after = before or {}, after or {}
        return [
            f"{_name(key)}: {_value(before.get(key))} → {_value(after.get(key))}"
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ] or ["No field changed."]
    lines = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict | list):
            lines.append(f"{_name(key)}: {_value(value[0])} → {_value(value[1])}")
        else:
            lines.append(f"{_name(key)}: {_value(value)}")
    return lines
