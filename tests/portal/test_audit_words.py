"""Audit details read as words: field, before → after; never a Python dict."""

import pytest

from portal.audit_words import changes_in_words, verb_in_words


def test_a_pair_reads_before_and_after():
    assert changes_in_words({"assignee": ["rita", "ravi"], "state": "assigned"}) == [
        "Assignee: rita → ravi",
        "State: assigned",
    ]


def test_whole_records_list_only_what_differs():
    before = {"sla_business_days": 5, "required_artifact_kinds": ["evaluation_report"], "requires_version": True}
    after = {"sla_business_days": 7, "required_artifact_kinds": ["evaluation_report"], "requires_version": False}
    assert changes_in_words({"before": before, "after": after}) == [
        "Requires version: yes → no",
        "Sla business days: 5 → 7",
    ]


def test_a_record_removed_and_empty_values():
    assert changes_in_words({"before": {"note": "x"}, "after": None}) == ["Note: x → —"]
    assert changes_in_words({}) == []
    assert changes_in_words({"reason": ""}) == ["Reason: —"]


def test_long_values_are_cut_and_verbs_are_words():
    (line,) = changes_in_words({"comment": "a" * 500})
    assert len(line) < 220 and line.endswith("…")
    assert verb_in_words("review.handed_over") == "Review handed over"


@pytest.mark.django_db
def test_the_audit_page_speaks_words_and_suggests_people_and_use_cases(client, audrey, erin, use_case):
    client.force_login(erin)
    client.post(f"/use-cases/{use_case.slug}/edit/", {"title": "Renamed", "purpose": "p"})
    client.force_login(audrey)

    body = client.get("/audit/").content.decode()

    assert f'<option value="{use_case.slug}">' in body
    assert '<option value="erin">' in body
    assert '<option value="policy.changed">Policy changed</option>' in body
    assert "{&#x27;" not in body and "{'" not in body
