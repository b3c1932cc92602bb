"""The canonical JSON form every hash in the portal is computed over: RFC 8785 (JSON Canonicalization Scheme).

A hash must come out the same whoever recomputes it, from whatever the
database gives back. Python's `json.dumps` does not promise that: it writes the
float 1e16 as `1e+16`, while PostgreSQL's JSON column hands back the integer
10000000000000000, so a re-hash of a row read back would differ. RFC 8785 fixes
one text for one value:

- objects: members sorted by their names' UTF-16 code units, no white space;
- strings: UTF-8, escaping only `"`, `\\` and control characters (`\\b \\f \\n \\r \\t`
  by name, the rest as `\\u00xx`);
- numbers: IEEE-754 doubles written as ECMAScript writes them (shortest
  round-trip digits; exponent form below 1e-6 and from 1e21; `-0` is `0`), so
  1e16, 1e+16 and 10000000000000000 are all `10000000000000000`. As in the RFC,
  integers beyond 2^53 are doubles too: a value that must keep more digits is
  recorded as a string. NaN and infinities are not JSON and are refused.

Before canonicalising, `canonical_value` turns Python values into JSON ones:
datetimes to ISO 8601 in UTC with microseconds, dates to ISO dates, Decimals
to numbers, tuples and sets to lists, anything else to its `str`. Strings
holding a NUL or a lone surrogate are refused: no database column can keep them
as they are, so a hash over them could never be checked again.

The same description is in docs/canonical-json.md, for anyone re-hashing an
exported event or a packet's attachment outside the portal.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["CanonicalError", "canonical_json", "canonical_value"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_SURROGATE = re.compile("[\ud800-\udfff]")
# Integers of this size or less are exactly doubles, and ECMAScript writes them as their digits.
_EXACT_INTEGER = 2**53


class CanonicalError(ValueError):
    """A value that has no canonical JSON form (NaN, infinity, a NUL or lone surrogate in a string)."""


def canonical_value(value: Any) -> Any:
    """The JSON value a Python value stands for, ready to canonicalise (and to store as JSON)."""
    if value is None or isinstance(value, bool | str):
        if isinstance(value, str):
            _check_string(value)
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalError(f"{value!r} is not a JSON number.")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CanonicalError(f"{value!r} is not a JSON number.")
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CanonicalError("A datetime without a time zone has no single canonical form.")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = key if isinstance(key, str) else str(key)
            _check_string(name)
            out[name] = canonical_value(item)
        return out
    if isinstance(value, list | tuple):
        return [canonical_value(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical_value(item) for item in value), key=canonical_json)
    return canonical_value(str(value))


def canonical_json(value: Any) -> str:
    """The RFC 8785 text of `value` (after `canonical_value`)."""
    return _serialise(canonical_value(value))


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise CanonicalError("A text contains a NUL character.")
    if _SURROGATE.search(text):
        raise CanonicalError("A text contains a lone surrogate, which is not Unicode text.")


def _serialise(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        return "{" + ",".join(_string(name) + ":" + _serialise(value[name]) for name in names) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_serialise(item) for item in value) + "]"
    raise CanonicalError(f"{type(value).__name__} is not a JSON value.")


def _string(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return '"' + text + '"'
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _number(number: int | float) -> str:
    """ECMAScript's Number::toString of the double nearest `number` (RFC 8785 section 3.2.2.3)."""
    if isinstance(number, int) and -_EXACT_INTEGER <= number <= _EXACT_INTEGER:
        return str(number)
    as_float = float(number)
    if not math.isfinite(as_float):
        raise CanonicalError(f"{number!r} is not a JSON number.")
    if as_float == 0:
        return "0"
    sign = "-" if as_float < 0 else ""
    # repr() gives the shortest digits that round-trip; only their layout differs from ECMAScript's.
    _, digit_tuple, exponent = Decimal(repr(abs(as_float))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    point = exponent + len("".join(map(str, digit_tuple)))  # value = 0.DIGITS × 10^point
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        text = "0." + "0" * (-point) + digits
    else:
        power = point - 1
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text
