"""What a classification obliges, as gate requirements: the policy names an artifact kind for each obligation.

A rule is (artifact kind, when); `when` reads the classification in force and the registry flags:
- fria_required: the assessment says Art. 27 applies (high-risk under Art. 6(2), public body or 5(b)/5(c));
- dpia_needed: personal data is processed and the EU or internal tier is high (GDPR Art. 35's high risk);
- tier_high: the system is high-risk (Art. 49 registration before it is put into service);
- exemption_6_3: an Annex III system exempt under Art. 6(3), whose assessment is documented and registered;
- transparency: an Art. 50 duty applies (AI interaction, synthetic content, emotion or biometric categorisation).
"""

from __future__ import annotations

from collections.abc import Callable

from lifecycle.models import Artifact, ArtifactKind, InternalTier, RiskAssessment, Tier, UseCase
from lifecycle.questionnaire import Flag
from signoff.gates.result import Requirement


class When:
    FRIA_REQUIRED = "fria_required"
    DPIA_NEEDED = "dpia_needed"
    TIER_HIGH = "tier_high"
    EXEMPTION_6_3 = "exemption_6_3"
    TRANSPARENCY = "transparency"


WHY: dict[str, str] = {
    When.FRIA_REQUIRED: "the classification requires a fundamental rights impact assessment (Art. 27)",
    When.DPIA_NEEDED: "personal data is processed at a high tier",
    When.TIER_HIGH: "the system is high-risk",
    When.EXEMPTION_6_3: "the Art. 6(3) exemption is claimed",
    When.TRANSPARENCY: "an Art. 50 transparency duty applies",
}

_HOLDS: dict[str, Callable[[UseCase, RiskAssessment | None], bool]] = {
    When.FRIA_REQUIRED: lambda use_case, a: a is not None and a.fria_required,
    When.DPIA_NEEDED: lambda use_case, a: (
        use_case.processes_personal_data
        and (use_case.risk_tier == Tier.HIGH or use_case.internal_tier == InternalTier.HIGH)
    ),
    When.TIER_HIGH: lambda use_case, a: use_case.risk_tier == Tier.HIGH,
    When.EXEMPTION_6_3: lambda use_case, a: a is not None and Flag.REGISTER_6_3_EXEMPTION in a.transparency_flags,
    When.TRANSPARENCY: lambda use_case, a: a is not None and any(f in Flag.ART_50 for f in a.transparency_flags),
}


def obligations_due(
    use_case: UseCase, assessment: RiskAssessment | None, rules: list[tuple[str, str]]
) -> dict[str, list[str]]:
    """The artifact kinds the rules require of this use case, each with why (in rule order)."""
    due: dict[str, list[str]] = {}
    for kind, when in rules:
        holds = _HOLDS.get(when)
        if holds is not None and holds(use_case, assessment):
            due.setdefault(kind, []).append(WHY[when])
    return due


def obligation_requirements(
    use_case: UseCase, assessment: RiskAssessment | None, rules: list[tuple[str, str]], current: dict[str, Artifact]
) -> list[Requirement]:
    """One requirement per obliged kind; `current` is the use case's current artifact of each kind."""
    due = obligations_due(use_case, assessment, rules)
    out = []
    for kind, reasons in due.items():
        label = ArtifactKind(kind).label if kind in ArtifactKind.values else kind
        artifact = current.get(kind)
        because = " and ".join(reasons)
        if artifact is None:
            out.append(Requirement(f"obligation.{kind}", False, f"Missing: {label}, because {because}."))
        else:
            out.append(
                Requirement(f"obligation.{kind}", True, f"{label}: {artifact.original_name}, as {because} requires.")
            )
    return out
