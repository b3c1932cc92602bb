"""The EU AI Act classification questionnaire and its resolution rules.

The questions are data (lifecycle/data/eu_ai_act_questionnaire.json) with a
version id, a source and the date they were last checked against the law,
because the law moves: the 2026 Digital Omnibus shifted the high-risk dates and
added a prohibition. `classify` is pure: the same answers, flags and date give
the same result, so a stored assessment can always be explained.

Resolution, in order:
1. Q01 no: not an AI system, outside the Act. Q02 no: the Act does not apply.
   Both are OUT_OF_SCOPE and nothing else is resolved.
2. Any prohibited answer (Q03-Q07; Q08 from 2 Dec 2026) ends it: PROHIBITED.
3. HIGH if Q09, or if an Annex III area applies (Q10, or Q15 which is area 1)
   and either it profiles people (Q11) or the Art. 6(3) exemption (Q12) does
   not apply.
4. Otherwise LIMITED if any Art. 50 transparency duty applies (Q13-Q15),
   else MINIMAL. Transparency duties stack on HIGH as well.
GPAI (Q16, Q17) is independent of the tier, and of the system's role: the role
is provider if Q18 (Art. 25), otherwise deployer. A fundamental rights impact
assessment (Art. 27) is required only for a system high-risk under Art. 6(2),
not for Annex III point 2 alone: for a public body or public service (Q19), and
for credit scoring (5(b)) or life and health insurance (5(c)) in any case.

Internal tier (our own materiality, which drives review depth):
- HIGH if the tier is PROHIBITED or HIGH, the model is GPAI with systemic
  risk, or the use case supports a regulated decision on personal data;
- MEDIUM if the tier is LIMITED, the model is GPAI, a fundamental rights impact
  assessment is required, or the use case is customer-facing, supports a
  regulated decision or processes personal data;
- LOW otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from lifecycle.models import InternalTier, RiskAssessment, Tier

DATA_FILE = Path(__file__).resolve().parent / "data" / "eu_ai_act_questionnaire.json"

PROHIBITED_QUESTIONS = ("Q03", "Q04", "Q05", "Q06", "Q07", "Q08")
SCOPE_QUESTIONS = ("Q01", "Q02")
AREAS_QUESTION = "Q10"
BIOMETRICS_AREA = "biometrics"
CRITICAL_INFRASTRUCTURE_AREA = "critical_infrastructure"
# Art. 27(1): deployers of Annex III 5(b) credit scoring and 5(c) life and health insurance uses assess
# fundamental rights impact whoever they are; other deployers only if public law governs them or they
# provide public services.
FRIA_AREAS = ("credit_scoring", "life_health_insurance")


class Flag:
    """Keys stored in RiskAssessment.transparency_flags."""

    DISCLOSE_AI_INTERACTION = "disclose_ai_interaction"  # Art. 50(1)
    MARK_SYNTHETIC_CONTENT = "mark_synthetic_content"  # Art. 50(2), (4)
    INFORM_EMOTION_BIOMETRIC = "inform_emotion_biometric"  # Art. 50(3)
    NOTIFY_AFFECTED_PERSONS = "notify_affected_persons"  # Art. 26(7), (11), 86
    REGISTER_6_3_EXEMPTION = "register_6_3_exemption"  # Art. 6(4), 49(2)

    ART_50 = (DISCLOSE_AI_INTERACTION, MARK_SYNTHETIC_CONTENT, INFORM_EMOTION_BIOMETRIC)
    LABELS = {
        DISCLOSE_AI_INTERACTION: "Tell people they are interacting with an AI system (Art. 50(1))",
        MARK_SYNTHETIC_CONTENT: "Mark synthetic content; disclose deep fakes (Art. 50(2), (4))",
        INFORM_EMOTION_BIOMETRIC: "Inform people of emotion recognition or biometric categorisation (Art. 50(3))",
        NOTIFY_AFFECTED_PERSONS: "Inform workers and affected persons; explain decisions (Art. 26(7), (11), 86)",
        REGISTER_6_3_EXEMPTION: "Document the Art. 6(3) exemption and register the system (Art. 6(4), 49(2))",
    }


@dataclass(frozen=True)
class Question:
    id: str
    article: str
    group: str
    kind: str  # "yes_no" or "areas"
    text: str
    effect: str
    applies_from: date | None = None


@dataclass(frozen=True)
class Area:
    key: str
    number: int
    label: str
    point: str = ""  # "5(b)": area 5's points decide the FRIA, so each is its own key


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: str
    source: str
    checked_on: date
    key_dates: list[tuple[date, str]]
    areas: list[Area]
    questions: list[Question]

    @property
    def area_keys(self) -> set[str]:
        return {a.key for a in self.areas}

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


@cache
def questionnaire_load() -> Questionnaire:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return Questionnaire(
        version=raw["version"],
        title=raw["title"],
        source=raw["source"],
        checked_on=date.fromisoformat(raw["checked_on"]),
        key_dates=[(date.fromisoformat(d["date"]), d["what"]) for d in raw["key_dates"]],
        areas=[
            Area(a["key"], a["number"], a["label"], a.get("point", str(a["number"]))) for a in raw["annex_iii_areas"]
        ],
        questions=[
            Question(
                id=q["id"],
                article=q["article"],
                group=q["group"],
                kind=q["kind"],
                text=q["text"],
                effect=q["effect"],
                applies_from=date.fromisoformat(q["applies_from"]) if q.get("applies_from") else None,
            )
            for q in raw["questions"]
        ],
    )


@dataclass(frozen=True)
class UseCaseFlags:
    processes_personal_data: bool = False
    customer_facing: bool = False
    regulated_decision: bool = False


@dataclass(frozen=True)
class Classification:
    tier: Tier
    internal_tier: InternalTier
    gpai: RiskAssessment.Gpai = RiskAssessment.Gpai.NONE
    role: RiskAssessment.Role = RiskAssessment.Role.DEPLOYER
    fria_required: bool = False
    annex_iii_areas: list[str] = field(default_factory=list)
    transparency_flags: list[str] = field(default_factory=list)
    prohibited_by: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return " ".join(self.reasons)


def _yes(answers: Mapping[str, Any], qid: str) -> bool:
    value = answers.get(qid)
    if isinstance(value, Mapping):
        value = value.get("answer")
    return value is True


def _areas(answers: Mapping[str, Any]) -> list[str]:
    value = answers.get(AREAS_QUESTION)
    if isinstance(value, Mapping):
        return sorted(set(value.get("areas") or []))
    if isinstance(value, list | tuple | set):
        return sorted(set(value))
    return []


def internal_tier_for(
    *, tier: Tier, gpai: RiskAssessment.Gpai, fria_required: bool, flags: UseCaseFlags
) -> InternalTier:
    """Our materiality tier; the rule is written out in the module docstring."""
    if (
        tier in (Tier.PROHIBITED, Tier.HIGH)
        or gpai == RiskAssessment.Gpai.SYSTEMIC
        or (flags.regulated_decision and flags.processes_personal_data)
    ):
        return InternalTier.HIGH
    if (
        tier == Tier.LIMITED
        or gpai == RiskAssessment.Gpai.GPAI
        or fria_required
        or flags.customer_facing
        or flags.regulated_decision
        or flags.processes_personal_data
    ):
        return InternalTier.MEDIUM
    return InternalTier.LOW


def classify(
    answers: Mapping[str, Any], *, flags: UseCaseFlags | None = None, on: date | None = None
) -> Classification:
    """Resolve answers ({"Q01": True or {"answer": True, ...}, "Q10": ["employment"], ...}) to a classification.

    `on` is the date the law is applied at (default: today), since some rules
    start on a date.
    """
    flags = flags or UseCaseFlags()
    on = on or timezone.localdate()
    questionnaire = questionnaire_load()

    def result(tier: Tier, reasons: list[str], **kwargs) -> Classification:
        gpai = kwargs.pop("gpai", RiskAssessment.Gpai.NONE)
        fria = kwargs.pop("fria_required", False)
        internal = internal_tier_for(tier=tier, gpai=gpai, fria_required=fria, flags=flags)
        return Classification(
            tier=tier, internal_tier=internal, gpai=gpai, fria_required=fria, reasons=reasons, **kwargs
        )

    if not _yes(answers, "Q01"):
        return result(Tier.OUT_OF_SCOPE, ["Not an AI system within Art. 3(1): outside the Act."])
    if not _yes(answers, "Q02"):
        return result(Tier.OUT_OF_SCOPE, ["Not placed on the market, used, or its output used in the EU (Art. 2(1))."])

    if _yes(answers, "Q17"):
        gpai = RiskAssessment.Gpai.SYSTEMIC
    elif _yes(answers, "Q16"):
        gpai = RiskAssessment.Gpai.GPAI
    else:
        gpai = RiskAssessment.Gpai.NONE
    # Releasing a general-purpose model (Q16) makes us a GPAI model provider; the system's role is Art. 25's.
    role = RiskAssessment.Role.PROVIDER if _yes(answers, "Q18") else RiskAssessment.Role.DEPLOYER

    reasons: list[str] = []
    prohibited_by = []
    for qid in PROHIBITED_QUESTIONS:
        if not _yes(answers, qid):
            continue
        question = questionnaire.question(qid)
        if question.applies_from and on < question.applies_from:
            reasons.append(
                f"{qid} ({question.article}) becomes a prohibition on {question.applies_from:%d %b %Y}: "
                "the practice must stop by then."
            )
            continue
        prohibited_by.append(qid)
    if prohibited_by:
        articles = ", ".join(f"{q} ({questionnaire.question(q).article})" for q in prohibited_by)
        return result(
            Tier.PROHIBITED,
            [*reasons, f"Prohibited practice: {articles}. It may never leave stage 0."],
            gpai=gpai,
            role=role,
            prohibited_by=prohibited_by,
        )

    areas = _areas(answers)
    if _yes(answers, "Q15") and BIOMETRICS_AREA not in areas:
        areas = sorted([*areas, BIOMETRICS_AREA])
    transparency = []
    if _yes(answers, "Q13"):
        transparency.append(Flag.DISCLOSE_AI_INTERACTION)
    if _yes(answers, "Q14"):
        transparency.append(Flag.MARK_SYNTHETIC_CONTENT)
    if _yes(answers, "Q15"):
        transparency.append(Flag.INFORM_EMOTION_BIOMETRIC)

    profiles, exempt = _yes(answers, "Q11"), _yes(answers, "Q12")
    high_under_6_2 = bool(areas) and (profiles or not exempt)
    if _yes(answers, "Q09"):
        tier = Tier.HIGH
        reasons.append("High-risk under Art. 6(1): an Annex I product needing third-party conformity assessment.")
    elif areas and (profiles or not exempt):
        tier = Tier.HIGH
        why = "it profiles natural persons" if profiles else "the Art. 6(3) exemption does not apply"
        reasons.append(f"High-risk under Art. 6(2): Annex III area ({', '.join(areas)}) and {why}.")
    elif areas:
        tier = Tier.LIMITED if transparency else Tier.MINIMAL
        transparency.append(Flag.REGISTER_6_3_EXEMPTION)
        reasons.append("Annex III area, but exempt under Art. 6(3): document the assessment and register it.")
    else:
        tier = Tier.LIMITED if transparency else Tier.MINIMAL
    if tier != Tier.HIGH:
        reasons.append(
            "Transparency duties under Art. 50 apply." if tier == Tier.LIMITED else "No tier-specific duties apply."
        )
    elif any(f in Flag.ART_50 for f in transparency):
        reasons.append("Art. 50 transparency duties apply as well.")
    if _yes(answers, "Q20"):
        transparency.append(Flag.NOTIFY_AFFECTED_PERSONS)
    if gpai != RiskAssessment.Gpai.NONE:
        reasons.append(f"{RiskAssessment.Gpai(gpai).label}.")
    fria = _fria_required(answers, areas, high_under_6_2)
    if fria:
        reasons.append("A fundamental rights impact assessment is required before use (Art. 27).")

    return result(
        tier,
        reasons,
        gpai=gpai,
        role=role,
        fria_required=fria,
        annex_iii_areas=areas,
        transparency_flags=transparency,
    )


def _fria_required(answers: Mapping[str, Any], areas: list[str], high_under_6_2: bool) -> bool:
    """Art. 27: only for systems high-risk under Art. 6(2), never for Annex III point 2 alone; then for public
    bodies and providers of public services (Q19), and for 5(b) and 5(c) uses whoever deploys them."""
    if not high_under_6_2 or not [a for a in areas if a != CRITICAL_INFRASTRUCTURE_AREA]:
        return False
    return _yes(answers, "Q19") or any(a in FRIA_AREAS for a in areas)


def answers_clean(raw: Mapping[str, Any]) -> tuple[dict[str, dict], dict[str, str]]:
    """Normalise submitted answers; return (answers, errors by question id).

    Q01 and Q02 are always required; the rest only when the Act applies. Every
    "yes" (and any answer that takes the system out of scope) needs a rationale,
    since that is what a reviewer challenges.
    """
    questionnaire = questionnaire_load()
    answers: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for question in questionnaire.questions:
        value = raw.get(question.id)
        if not isinstance(value, Mapping):
            value = {"areas": value} if question.kind == "areas" else {"answer": value}
        rationale = str(value.get("rationale") or "").strip()
        if question.kind == "areas":
            areas = value.get("areas")
            if areas is None:
                areas = []
            if not isinstance(areas, list | tuple) or not all(isinstance(a, str) for a in areas):
                errors[question.id] = "Give the Annex III areas as a list of area keys."
                continue
            unknown = sorted(set(areas) - questionnaire.area_keys)
            if unknown:
                errors[question.id] = f"Unknown Annex III area: {', '.join(unknown)}."
                continue
            answers[question.id] = {"answer": bool(areas), "areas": sorted(set(areas)), "rationale": rationale}
            continue
        answer = value.get("answer")
        if answer is None:
            answers[question.id] = {"answer": None, "rationale": rationale}
            continue
        if not isinstance(answer, bool):
            errors[question.id] = "Answer yes (true) or no (false)."
            continue
        answers[question.id] = {"answer": answer, "rationale": rationale}

    in_scope = all(answers.get(q, {}).get("answer") is True for q in SCOPE_QUESTIONS)
    for question in questionnaire.questions:
        entry = answers.get(question.id)
        if entry is None or question.id in errors:
            continue
        q01_yes = answers.get("Q01", {}).get("answer") is True
        needed = question.id == "Q01" or (question.id == "Q02" and q01_yes) or in_scope
        if entry["answer"] is None:
            if needed:
                errors[question.id] = "Answer this question."
            else:
                del answers[question.id]
            continue
        takes_out_of_scope = question.id in SCOPE_QUESTIONS and entry["answer"] is False
        if (entry["answer"] or takes_out_of_scope) and not entry["rationale"]:
            errors[question.id] = "Give a rationale for this answer."
    return answers, errors
