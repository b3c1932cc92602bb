"""What a classification obliges (FRIA, DPIA, Art. 49 registration and the Art. 6(3) record, Art. 50 disclosure)
is a gate requirement that the default policy names by tier and flags."""

import pytest
from django.core.exceptions import ValidationError

from lifecycle.models import ArtifactKind, InternalTier, Stage, Tier, UseCase
from lifecycle.questionnaire import Flag
from signoff import services
from signoff.gates import PolicySpec, gate_evaluate
from tests import factories
from tests.signoff.helpers import put_at_stage, supply_evidence

pytestmark = pytest.mark.django_db


def _obligations(use_case: UseCase, stage: int = 3) -> dict[str, bool]:
    gate = gate_evaluate(use_case=UseCase.objects.get(pk=use_case.pk), target_stage=stage)
    return {r.key: r.met for r in gate.requirements if r.key.startswith("obligation.")}


def _classified(erin, *, tier=Tier.MINIMAL, personal_data=False, **assessment) -> UseCase:
    use_case = factories.UseCaseFactory(technical_owner=erin, risk_tier=tier, processes_personal_data=personal_data)
    factories.RiskAssessmentFactory(use_case=use_case, tier=tier, assessed_by=erin, is_final=True, **assessment)
    return put_at_stage(use_case, Stage.CONTROLLED)


def test_an_fria_required_use_case_cannot_reach_stage_three_without_one(erin, bob):
    use_case = _classified(erin, tier=Tier.HIGH, fria_required=True)
    UseCase.objects.filter(pk=use_case.pk).update(business_owner=bob)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    use_case.artifacts.filter(kind=ArtifactKind.FRIA).delete()
    assert _obligations(use_case) == {"obligation.fria": False, "obligation.eu_registration": True}
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    with pytest.raises(ValidationError) as refused:
        services.readiness_request_submit(request=request, actor=erin)
    assert (
        "Missing: Fundamental rights impact assessment (Art. 27), because the classification requires a fundamental "
        "rights impact assessment (Art. 27)." in refused.value.messages
    )
    factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.FRIA)
    assert _obligations(use_case)["obligation.fria"] is True


def test_a_minimal_use_case_without_personal_data_owes_nothing(erin):
    assert _obligations(_classified(erin)) == {}


def test_personal_data_at_a_high_internal_tier_needs_a_dpia(erin):
    use_case = _classified(erin, personal_data=True, internal_tier=InternalTier.HIGH)
    UseCase.objects.filter(pk=use_case.pk).update(internal_tier=InternalTier.HIGH)
    assert _obligations(use_case) == {"obligation.dpia": False}


def test_art_50_duties_need_the_disclosure(erin):
    use_case = _classified(erin, tier=Tier.LIMITED, transparency_flags=[Flag.DISCLOSE_AI_INTERACTION])
    assert _obligations(use_case) == {"obligation.ai_disclosure": False}
    assert _obligations(use_case, stage=2) == {}  # the default policy asks from production (stage 3) on


def test_an_art_6_3_exemption_is_documented_and_registered(erin):
    use_case = _classified(erin, transparency_flags=[Flag.REGISTER_6_3_EXEMPTION])
    assert _obligations(use_case) == {"obligation.eu_registration": False, "obligation.art_6_3_record": False}


def test_a_policy_snapshot_from_before_obligations_still_reads():
    spec = PolicySpec.for_stage(3)
    snapshot = spec.as_snapshot()
    del snapshot["obligation_rules"], snapshot["review_artifact_kinds"]
    old = PolicySpec.from_snapshot(snapshot)
    assert (old.obligation_rules, old.review_artifact_kinds) == ([], [])
    assert ("fria", "fria_required") in spec.obligation_rules
