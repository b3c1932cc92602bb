"""Junk posted to the registry's forms is a 400 with a message, never a 500, and writes nothing."""

import pytest
from django.urls import reverse

from lifecycle.models import Artifact, ModelVersion, ReadinessAnswer, RiskAssessment, Stage, StageChange, UseCase

pytestmark = pytest.mark.django_db

CASES = [
    ("lifecycle:use-case-edit", {"title": "x", "purpose": "y", "technical_owner": "erin", "business_owner": "-1"}),
    ("lifecycle:use-case-demote", {"to_stage": "1e9", "reason": "x"}),
    ("lifecycle:use-case-demote", {"to_stage": "", "reason": ""}),
    ("lifecycle:use-case-retire", {"reason": "   "}),
    ("lifecycle:version-create", {"label": "1", "provider": "p", "model_identifier": "m", "config_hash": "../" * 22}),
    ("lifecycle:artifact-upload", {"kind": "other"}),
    ("lifecycle:artifact-upload", {"kind": ["other", "x"], "version": "abc", "file": "not-a-file"}),
    ("lifecycle:assessment-create", {"Q01": "perhaps", "Q10": "astrology", "is_final": "2"}),
    ("lifecycle:readiness-edit", {"named_owner": "yes", "named_owner_artifact": "abc"}),
    ("lifecycle:readiness-edit", {"named_owner": "maybe"}),
]


@pytest.mark.parametrize(("name", "data"), CASES)
def test_junk_is_a_400(client, use_case, erin, name, data):
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.CONTROLLED)
    client.force_login(erin)
    response = client.post(reverse(name, args=[use_case.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries" and use_case.stage == Stage.CONTROLLED
    for model in (Artifact, ModelVersion, ReadinessAnswer, RiskAssessment, StageChange):
        assert not model.objects.exists()


@pytest.mark.parametrize(
    "query", ["page=-1", "page=abc", "sort=__class__", "stage=9999999999999999999", "q=" + "x" * 5000]
)
def test_junk_list_queries_are_harmless(client, erin, use_case, query):
    client.force_login(erin)
    assert client.get(f"{reverse('lifecycle:use-case-list')}?{query}").status_code == 200
