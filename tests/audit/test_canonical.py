"""The canonical JSON form (RFC 8785) every hash is computed over, and events that survive any database."""

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from audit.canonical import CanonicalError, canonical_json
from audit.models import AuditEvent
from audit.services import Verb, audit_record
from audit.verify import audit_verify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("number", "text"),
    [
        # Test vectors of RFC 8785, appendix B, and the cases that broke the chain before.
        (0.0, "0"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),
        (10000000000000000, "10000000000000000"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (333333333.3333333, "333333333.3333333"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (9007199254740992, "9007199254740992"),
        (295147905179352830000, "295147905179352830000"),
        (-1.5, "-1.5"),
        (123.0, "123"),
        (1e300, "1e+300"),
        (10**300, "1e+300"),
    ],
)
def test_numbers_are_written_as_ecmascript_writes_doubles(number, text):
    assert canonical_json(number) == text


def test_members_are_sorted_by_utf16_code_units():
    # RFC 8785 section 3.2.3: the emoji (a surrogate pair) sorts before U+FB33 although its code point is higher.
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    assert canonical_json(value) == '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\U0001f600":5,"\ufb33":3}'


def test_strings_escape_only_what_json_must():
    assert canonical_json('a"b\\c\n\t\x01é€😀') == '"a\\"b\\\\c\\n\\t\\u0001é€😀"'


def test_python_values_become_json_values():
    when = datetime(2026, 12, 2, 10, 15, 3, 123456, tzinfo=UTC)
    assert canonical_json({"at": when, "day": date(2026, 12, 2), "amount": Decimal("2.50"), "t": (1, 2)}) == (
        '{"amount":2.5,"at":"2026-12-02T10:15:03.123456+00:00","day":"2026-12-02","t":[1,2]}'
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "nul\x00byte", "lone \ud800 surrogate", {"k\x00": 1}])
def test_values_without_a_canonical_form_are_refused(bad):
    with pytest.raises(CanonicalError):
        canonical_json(bad)


EXTREME = {
    "big": 1e16,
    "huge": 1e300,
    "tiny": 5e-324,
    "negative_zero": -0.0,
    "max_int": 2**63 - 1,
    "precise": 0.1 + 0.2,
    "unicode": "Kreditwürdigkeit · 信用评分 · تصنيف ائتماني · 😀 · e\u0301",
    "nested": {"a": [1, [2, [3, {"b": None, "c": True}]]], "z": {"y": {"x": []}}},
    "keys": {"\U0001f600": 1, "\ufb33": 2, "b": 3, "B": 4},
}


def test_events_with_extreme_values_verify_after_the_database_gives_them_back(capsys):
    with transaction.atomic():
        audit_record(actor=None, actor_label="tester", verb=Verb.VERSION_CREATED, changes={"metrics": EXTREME})
        audit_record(
            actor=None, actor_label="tester", verb=Verb.USE_CASE_UPDATED, changes={"after": EXTREME["unicode"]}
        )
    assert audit_verify() is None
    call_command("verify_audit")
    assert "2 events" in capsys.readouterr().out
    event = AuditEvent.objects.get(seq=1)
    # The hash covers exactly the stored text, and that text is what the columns say.
    assert event.hash == hashlib.sha256(event.canonical.encode()).hexdigest()
    assert json.loads(event.canonical)["changes"]["metrics"]["big"] == 10000000000000000
    assert event.canonical_form() == event.canonical


def test_a_change_without_a_canonical_form_is_refused_before_anything_is_written():
    with pytest.raises(CanonicalError), transaction.atomic():
        audit_record(actor=None, actor_label="tester", verb=Verb.USE_CASE_UPDATED, changes={"note": "nul\x00"})
    assert not AuditEvent.objects.exists()
