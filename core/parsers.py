"""A JSON parser that refuses, with a 400 naming where, what no service or database could take.

Python's json module accepts what PostgreSQL cannot store (a NUL character, a
lone surrogate) and recurses as deep as the input goes; either ended in a 500.
Bodies are checked before they reach a serializer or a service.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def depth_exceeds(text: str, limit: int) -> bool:
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def unstorable_text_at(value: Any, path: str = "") -> str | None:
    """The path of the first string (or object key) holding a NUL or a lone surrogate, or None."""
    if isinstance(value, str):
        if "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            return path or "(the body)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if unstorable_text_at(key, where) is not None:
                return ascii(where)
            if (found := unstorable_text_at(item, where)) is not None:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := unstorable_text_at(item, f"{path}[{index}]"):
                return found
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", "utf-8")
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"The JSON body is not valid {encoding} text.") from None
        if depth_exceeds(text, MAX_DEPTH):
            raise ParseError(f"The JSON body nests deeper than {MAX_DEPTH} levels.")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"The JSON body is not valid JSON: {exc}") from None
        if where := unstorable_text_at(data):
            raise ParseError(f"The JSON body has a NUL character or a lone surrogate in {where}; remove it.")
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
