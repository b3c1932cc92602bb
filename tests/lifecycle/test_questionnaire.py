from datetime import date

import pytest

from lifecycle.models import InternalTier, RiskAssessment, Tier
from lifecycle.questionnaire import Flag, UseCaseFlags, answers_clean, classify, internal_tier_for, questionnaire_load

BEFORE_NCII_BAN = date(2026, 12, 1)
NCII_BAN = date(2026, 12, 2)
ON = date(2027, 1, 15)

IN_SCOPE = {"Q01": True, "Q02": True}


def _classify(on=ON, flags=None, **answers):
    return classify({**IN_SCOPE, **answers}, flags=flags, on=on)


def test_questionnaire_data_has_twenty_questions_and_a_source():
    q = questionnaire_load()
    assert q.version == "eu-ai-act-2026-12"
    assert [question.id for question in q.questions] == [f"Q{n:02d}" for n in range(1, 21)]
    assert "2026/1744" in q.source
    assert (date(2027, 12, 2), "Annex III high-risk obligations apply (moved by the Digital Omnibus)") in q.key_dates
    assert q.question("Q08").applies_from == NCII_BAN
    assert [a.point for a in q.areas] == ["1", "2", "3", "4", "5(a)", "5(b)", "5(c)", "5(d)", "6", "7", "8"]


def test_not_an_ai_system_is_out_of_scope_whatever_else_is_answered():
    result = classify({"Q01": False, "Q02": True, "Q03": True, "Q09": True, "Q13": True}, on=ON)
    assert result.tier == Tier.OUT_OF_SCOPE
    assert result.transparency_flags == [] and result.prohibited_by == []
    assert "Art. 3(1)" in result.summary


def test_not_used_in_the_eu_is_out_of_scope():
    result = classify({"Q01": True, "Q02": False, "Q04": True}, on=ON)
    assert result.tier == Tier.OUT_OF_SCOPE
    assert "Art. 2(1)" in result.summary


def test_unanswered_scope_is_out_of_scope():
    assert classify({}, on=ON).tier == Tier.OUT_OF_SCOPE


@pytest.mark.parametrize("qid", ["Q03", "Q04", "Q05", "Q06", "Q07"])
def test_each_prohibited_practice_ends_it(qid):
    result = _classify(**{qid: True, "Q09": True, "Q13": True})
    assert result.tier == Tier.PROHIBITED
    assert result.prohibited_by == [qid]
    assert result.transparency_flags == []
    assert result.internal_tier == InternalTier.HIGH


def test_several_prohibited_answers_are_all_named():
    result = _classify(Q03=True, Q06=True)
    assert result.prohibited_by == ["Q03", "Q06"]


def test_ncii_generation_is_prohibited_from_2_december_2026():
    assert _classify(on=NCII_BAN, Q08=True).tier == Tier.PROHIBITED


def test_ncii_generation_before_2_december_2026_is_flagged_not_prohibited():
    result = _classify(on=BEFORE_NCII_BAN, Q08=True, Q14=True)
    assert result.tier == Tier.LIMITED
    assert result.prohibited_by == []
    assert "02 Dec 2026" in result.summary


def test_annex_i_product_is_high_risk():
    result = _classify(Q09=True)
    assert result.tier == Tier.HIGH
    assert "Art. 6(1)" in result.summary


def test_annex_iii_area_without_exemption_is_high_risk():
    result = _classify(Q10=["credit_scoring"], Q12=False)
    assert result.tier == Tier.HIGH
    assert result.annex_iii_areas == ["credit_scoring"]


def test_annex_iii_area_with_profiling_is_high_even_if_exemption_claimed():
    result = _classify(Q10={"answer": True, "areas": ["employment"]}, Q11=True, Q12=True)
    assert result.tier == Tier.HIGH
    assert "profiles" in result.summary


def test_annex_iii_area_with_exemption_and_no_profiling_is_not_high_but_must_be_registered():
    result = _classify(Q10=["employment"], Q11=False, Q12=True)
    assert result.tier == Tier.MINIMAL
    assert Flag.REGISTER_6_3_EXEMPTION in result.transparency_flags


def test_exempt_annex_iii_use_with_transparency_duty_is_limited():
    result = _classify(Q10=["education"], Q12=True, Q13=True)
    assert result.tier == Tier.LIMITED
    assert result.transparency_flags == [Flag.DISCLOSE_AI_INTERACTION, Flag.REGISTER_6_3_EXEMPTION]


def test_profiling_without_annex_iii_area_is_not_high():
    assert _classify(Q11=True).tier == Tier.MINIMAL


def test_exemption_alone_changes_nothing():
    assert _classify(Q12=True).tier == Tier.MINIMAL


@pytest.mark.parametrize(
    ("qid", "flag"),
    [
        ("Q13", Flag.DISCLOSE_AI_INTERACTION),
        ("Q14", Flag.MARK_SYNTHETIC_CONTENT),
    ],
)
def test_each_transparency_duty_makes_it_limited(qid, flag):
    result = _classify(**{qid: True})
    assert result.tier == Tier.LIMITED
    assert result.transparency_flags == [flag]


def test_transparency_flags_stack():
    result = _classify(Q13=True, Q14=True)
    assert result.transparency_flags == [Flag.DISCLOSE_AI_INTERACTION, Flag.MARK_SYNTHETIC_CONTENT]


def test_transparency_flags_stack_on_high_risk():
    result = _classify(Q09=True, Q13=True, Q14=True)
    assert result.tier == Tier.HIGH
    assert result.transparency_flags == [Flag.DISCLOSE_AI_INTERACTION, Flag.MARK_SYNTHETIC_CONTENT]


def test_emotion_recognition_is_transparency_and_a_candidate_high_risk_biometric_use():
    result = _classify(Q15=True)
    assert result.tier == Tier.HIGH
    assert result.annex_iii_areas == ["biometrics"]
    assert Flag.INFORM_EMOTION_BIOMETRIC in result.transparency_flags


def test_emotion_recognition_exempt_under_6_3_is_limited():
    result = _classify(Q15=True, Q12=True)
    assert result.tier == Tier.LIMITED
    assert Flag.INFORM_EMOTION_BIOMETRIC in result.transparency_flags


def test_nothing_applies_is_minimal():
    result = _classify()
    assert result.tier == Tier.MINIMAL
    assert result.gpai == RiskAssessment.Gpai.NONE
    assert result.role == RiskAssessment.Role.DEPLOYER
    assert not result.fria_required
    assert result.internal_tier == InternalTier.LOW


def test_gpai_flags_are_independent_of_the_tier():
    assert _classify(Q16=True).gpai == RiskAssessment.Gpai.GPAI
    assert _classify(Q16=True).tier == Tier.MINIMAL
    assert _classify(Q16=True, Q17=True).gpai == RiskAssessment.Gpai.SYSTEMIC
    assert _classify(Q17=True, Q09=True).gpai == RiskAssessment.Gpai.SYSTEMIC
    assert _classify(Q16=True, Q03=True).gpai == RiskAssessment.Gpai.GPAI


def test_the_role_is_the_systems_and_releasing_a_gpai_model_does_not_change_it():
    assert _classify(Q18=True).role == RiskAssessment.Role.PROVIDER
    released = _classify(Q16=True)
    assert (released.role, released.gpai) == (RiskAssessment.Role.DEPLOYER, RiskAssessment.Gpai.GPAI)
    assert _classify(Q17=True).role == RiskAssessment.Role.DEPLOYER


@pytest.mark.parametrize(
    "answers, fria",
    [
        ({"Q19": True}, False),  # a public body, but the system is not high-risk (Art. 27 is for high-risk only)
        ({"Q10": ["credit_scoring"]}, True),  # 5(b): whoever deploys it
        ({"Q10": ["life_health_insurance"]}, True),  # 5(c)
        ({"Q10": ["credit_scoring"], "Q12": True}, False),  # exempt under Art. 6(3): not high-risk
        ({"Q10": ["public_benefits"]}, False),  # 5(a) by a private deployer
        ({"Q10": ["public_benefits"], "Q19": True}, True),  # 5(a) by a public body
        ({"Q10": ["critical_infrastructure"], "Q19": True}, False),  # Annex III point 2 excepted
        ({"Q09": True, "Q19": True}, False),  # high-risk under Art. 6(1) (Annex I) only
        ({"Q10": ["emergency_services"], "Q19": True}, True),
    ],
)
def test_fria_follows_art_27(answers, fria):
    assert _classify(**answers).fria_required is fria


def test_affected_person_notices_do_not_change_the_tier():
    result = _classify(Q20=True)
    assert result.tier == Tier.MINIMAL
    assert result.transparency_flags == [Flag.NOTIFY_AFFECTED_PERSONS]


def test_bool_and_dict_answers_mean_the_same():
    assert _classify(Q09={"answer": True, "rationale": "x"}) == _classify(Q09=True)
    assert _classify(Q09={"answer": False}).tier == Tier.MINIMAL


@pytest.mark.parametrize(
    ("tier", "gpai", "fria", "flags", "expected"),
    [
        (Tier.MINIMAL, "none", False, UseCaseFlags(), InternalTier.LOW),
        (Tier.OUT_OF_SCOPE, "none", False, UseCaseFlags(), InternalTier.LOW),
        (Tier.HIGH, "none", False, UseCaseFlags(), InternalTier.HIGH),
        (Tier.PROHIBITED, "none", False, UseCaseFlags(), InternalTier.HIGH),
        (Tier.LIMITED, "none", False, UseCaseFlags(), InternalTier.MEDIUM),
        (Tier.MINIMAL, "gpai", False, UseCaseFlags(), InternalTier.MEDIUM),
        (Tier.MINIMAL, "systemic", False, UseCaseFlags(), InternalTier.HIGH),
        (Tier.MINIMAL, "none", True, UseCaseFlags(), InternalTier.MEDIUM),
        (Tier.MINIMAL, "none", False, UseCaseFlags(customer_facing=True), InternalTier.MEDIUM),
        (Tier.MINIMAL, "none", False, UseCaseFlags(processes_personal_data=True), InternalTier.MEDIUM),
        (Tier.MINIMAL, "none", False, UseCaseFlags(regulated_decision=True), InternalTier.MEDIUM),
        (
            Tier.MINIMAL,
            "none",
            False,
            UseCaseFlags(regulated_decision=True, processes_personal_data=True),
            InternalTier.HIGH,
        ),
    ],
)
def test_internal_tier_rule(tier, gpai, fria, flags, expected):
    assert internal_tier_for(tier=tier, gpai=gpai, fria_required=fria, flags=flags) == expected


def test_classify_uses_the_use_case_flags_for_the_internal_tier():
    assert _classify(flags=UseCaseFlags(customer_facing=True)).internal_tier == InternalTier.MEDIUM


def _all_no(**overrides):
    answers = {f"Q{n:02d}": {"answer": False, "rationale": ""} for n in range(1, 21)}
    answers["Q01"] = {"answer": True, "rationale": "A classifier."}
    answers["Q02"] = {"answer": True, "rationale": "Used in Ireland."}
    answers["Q10"] = {"areas": [], "rationale": ""}
    answers.update(overrides)
    return answers


def test_answers_clean_accepts_a_complete_set():
    answers, errors = answers_clean(_all_no(Q10={"areas": ["employment", "employment"], "rationale": "HR."}))
    assert errors == {}
    assert answers["Q10"] == {"answer": True, "areas": ["employment"], "rationale": "HR."}
    assert answers["Q03"] == {"answer": False, "rationale": ""}


def test_answers_clean_requires_a_rationale_for_each_yes():
    _, errors = answers_clean(_all_no(Q13={"answer": True, "rationale": "  "}))
    assert errors == {"Q13": "Give a rationale for this answer."}


def test_answers_clean_requires_every_question_when_in_scope():
    answers = _all_no()
    del answers["Q05"]
    _, errors = answers_clean(answers)
    assert errors == {"Q05": "Answer this question."}


def test_answers_clean_needs_only_q01_when_not_an_ai_system():
    answers, errors = answers_clean({"Q01": {"answer": False, "rationale": "A fixed rule table."}})
    assert errors == {}
    assert set(answers) == {"Q01", "Q10"}


def test_answers_clean_wants_a_rationale_for_leaving_scope():
    _, errors = answers_clean({"Q01": {"answer": False}})
    assert errors == {"Q01": "Give a rationale for this answer."}


def test_answers_clean_refuses_unknown_areas_and_non_booleans():
    _, errors = answers_clean(_all_no(Q10={"areas": ["astrology"]}, Q04={"answer": "yes"}))
    assert errors == {"Q10": "Unknown Annex III area: astrology.", "Q04": "Answer yes (true) or no (false)."}
    _, errors = answers_clean(_all_no(Q10={"areas": "employment"}))
    assert "Q10" in errors
