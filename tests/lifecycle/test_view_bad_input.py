"""Junk posted to the registry's forms is a 400 with a message, never a 500, and writes nothing."""

import pytest
from django.urls import reverse

from lifecycle.models import Artifact, ModelVersion, ReadinessAnswer, RiskAssessment, Stage, StageChange, UseCase

pytestmark = pytest.mark.django_db

# Each post, and the fields its form refuses.
CASES = [
    (
        "lifecycle:use-case-edit",
        {"title": "x", "purpose": "y", "technical_owner": "erin", "business_owner": "-1"},
        ["business_owner", "technical_owner"],
    ),
    ("lifecycle:use-case-demote", {"to_stage": "1e9", "reason": "x"}, ["to_stage"]),
    ("lifecycle:use-case-demote", {"to_stage": "", "reason": ""}, ["reason", "to_stage"]),
    ("lifecycle:use-case-retire", {"reason": "   "}, ["reason"]),
    (
        "lifecycle:version-create",
        {"label": "1", "provider": "p", "model_identifier": "m", "config_hash": "../" * 22},
        ["config_hash"],
    ),
    # At stage 2, the gate's evidence has a chooser each; the first says that no file was chosen.
    ("lifecycle:artifact-upload", {"kind": "other"}, ["needed_evaluation_report"]),
    (
        "lifecycle:artifact-upload",
        {"kind": ["other", "x"], "version": "abc", "uploads": "not-a-file"},
        ["kind", "needed_evaluation_report", "version"],
    ),
    (
        "lifecycle:assessment-create",
        {"Q01": "perhaps", "Q10": "astrology", "is_final": "2"},
        ["Q01", "Q10", "is_final"],
    ),
    ("lifecycle:readiness-edit", {"named_owner": "yes", "named_owner_artifact": "abc"}, ["named_owner_artifact"]),
    ("lifecycle:readiness-edit", {"named_owner": "maybe"}, ["named_owner"]),
]


@pytest.mark.parametrize(("name", "data", "refused"), CASES)
def test_junk_is_a_400(client, use_case, erin, name, data, refused):
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.CONTROLLED)
    client.force_login(erin)
    response = client.post(reverse(name, args=[use_case.slug]), data)
    assert response.status_code == 400
    assert sorted(response.context["form"].errors) == refused
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries" and use_case.stage == Stage.CONTROLLED
    for model in (Artifact, ModelVersion, ReadinessAnswer, RiskAssessment, StageChange):
        assert not model.objects.exists()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        # Parameters that make no sense are ignored: the whole list.
        ("page=-1", True),
        ("page=abc", True),
        ("sort=__class__", True),
        ("stage=9999999999999999999", True),
        # A search longer than any title is refused beside the form and left out: the whole list.
        ("q=" + "x" * 5000, True),
    ],
)
def test_junk_list_queries_are_harmless(client, erin, use_case, query, found):
    client.force_login(erin)
    response = client.get(f"{reverse('lifecycle:use-case-list')}?{query}")
    assert response.status_code == 200
    assert [u.pk for u in response.context["page_obj"]] == ([use_case.pk] if found else [])
