"""Risk classification (lifecycle/services/classification.py): the questionnaire's tier on the use case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.services import Verb
from lifecycle.models import InternalTier, RiskAssessment, Stage, StageChange, Tier
from lifecycle.services import risk_assessment_record, use_case_update
from tests.lifecycle.helpers import answers, at_stage, events_of

pytestmark = pytest.mark.django_db


def test_assessment_denormalises_tier_onto_the_use_case(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, processes_personal_data=True)
    assessment = risk_assessment_record(
        use_case=use_case,
        actor=erin,
        answers=answers(Q10={"areas": ["credit_scoring"], "rationale": "Credit."}, Q19=True),
        is_final=True,
    )
    use_case.refresh_from_db()
    assert (assessment.tier, assessment.internal_tier, assessment.fria_required) == (Tier.HIGH, InternalTier.HIGH, True)
    assert assessment.questionnaire_version == "eu-ai-act-2026-12"
    assert assessment.annex_iii_areas == ["credit_scoring"]
    assert (use_case.risk_tier, use_case.internal_tier) == (Tier.HIGH, InternalTier.HIGH)
    [event] = events_of(Verb.ASSESSMENT_RECORDED)
    assert event.changes["tier"] == [Tier.MINIMAL, Tier.HIGH] and event.changes["is_final"] is True


def test_assessments_are_kept_and_the_newest_is_current(use_case, erin):
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q13=True), is_final=False)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(), is_final=True)
    assert RiskAssessment.objects.filter(use_case=use_case).count() == 2
    assert RiskAssessment.objects.filter(use_case=use_case).latest().tier == Tier.MINIMAL
    use_case.refresh_from_db()
    assert use_case.risk_tier == Tier.MINIMAL


def test_incomplete_answers_are_refused_naming_the_questions(use_case, erin):
    bad = answers(Q13={"answer": True, "rationale": ""})
    del bad["Q04"]
    with pytest.raises(ValidationError) as info:
        risk_assessment_record(use_case=use_case, actor=erin, answers=bad, is_final=True)
    assert info.value.message_dict["answers"] == [
        "Q04: Answer this question.",
        "Q13: Give a rationale for this answer.",
    ]
    assert not RiskAssessment.objects.exists()


def test_prohibited_classification_takes_a_running_use_case_back_to_stage_0(use_case, erin):
    at_stage(use_case, Stage.CONTROLLED)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q06=True), is_final=True)
    use_case.refresh_from_db()
    assert (use_case.stage, use_case.risk_tier) == (Stage.PROPOSED, Tier.PROHIBITED)
    change = StageChange.objects.get()
    assert (change.from_stage, change.to_stage, change.kind) == (2, 0, "demotion")
    assert "prohibited" in change.reason


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_cannot_classify(request, use_case, who):
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may classify it"):
        risk_assessment_record(use_case=use_case, actor=request.getfixturevalue(who), answers=answers(), is_final=True)
    assert not RiskAssessment.objects.exists()
