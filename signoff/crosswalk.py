"""Which framework provisions each piece of stage-3 evidence speaks to.

Shipped as data so the packet can say, for the evidence actually supplied,
where an examiner would look it up: EU AI Act articles (Regulation (EU)
2024/1689 as amended by 2026/1744), model-risk practice in the SR 11-7
vocabulary (the guidance itself was replaced by SR 26-2 in April 2026, but its
elements remain the common language), ISO/IEC 42001:2023 Annex A controls and
NIST AI RMF 1.0 subcategories. The descriptions are ours; the references are
the frameworks'.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifecycle.models import ArtifactKind

CROSSWALK_SOURCE = (
    "EU AI Act (Reg. (EU) 2024/1689, as amended by Reg. (EU) 2026/1744); model-risk practice after SR 11-7 "
    "(superseded by SR 26-2 / OCC 2026-13 on 17 Apr 2026); ISO/IEC 42001:2023 Annex A; NIST AI RMF 1.0. "
    "Checked 2026-11-16."
)


@dataclass(frozen=True)
class CrosswalkRow:
    key: str
    evidence: str
    what_it_shows: str
    eu_ai_act: str
    sr_11_7: str
    iso_42001: str
    nist_ai_rmf: str
    # What in a request supplies this evidence: artifact kinds, and gate requirement key prefixes.
    artifact_kinds: tuple[str, ...] = ()
    requirement_prefixes: tuple[str, ...] = ()


CROSSWALK: tuple[CrosswalkRow, ...] = (
    CrosswalkRow(
        key="registry_entry",
        evidence="Registry entry",
        what_it_shows="The system is inventoried with its version, owners, approved scope, evaluation results "
        "and the conditions under which it is switched off.",
        eu_ai_act="Art. 11 and Annex IV §1, §2(g), §6; Art. 13(3)(b); Art. 18; Art. 49",
        sr_11_7="Model inventory, documentation, validation results, ownership",
        iso_42001="A.3.2, A.4.2, A.6.2.2–A.6.2.4, A.6.2.7, A.9.4",
        nist_ai_rmf="GOVERN 1.6, 1.7, 2.1; MAP 1.1, 3.3; MEASURE 2.3, 2.5",
        artifact_kinds=(ArtifactKind.EVALUATION_REPORT, ArtifactKind.DATA_LINEAGE, ArtifactKind.MODEL_CARD),
        requirement_prefixes=("registry.", "version.", "evaluation."),
    ),
    CrosswalkRow(
        key="risk_classification",
        evidence="Risk classification",
        what_it_shows="The AI Act tier and role were determined from a documented questionnaire, and the "
        "internal materiality tier set.",
        eu_ai_act="Art. 5; Art. 6(1)–(4); Art. 49(2); Art. 50; Art. 51; Art. 27; Art. 9(2)",
        sr_11_7="Model determination, materiality tiering",
        iso_42001="A.5.2–A.5.5",
        nist_ai_rmf="GOVERN 1.3; MAP 1.5, 2, 5.1; MANAGE 1.2",
        artifact_kinds=(ArtifactKind.IMPACT_ASSESSMENT,),
        requirement_prefixes=("classification.",),
    ),
    CrosswalkRow(
        key="observability",
        evidence="Production observability",
        what_it_shows="Prompts, responses, latency and error categories are logged and watched for anomalies "
        "once the system runs.",
        eu_ai_act="Art. 12; Art. 19; Art. 26(5)–(6); Art. 14(4)(a); Art. 15; Art. 72; Art. 73",
        sr_11_7="Ongoing monitoring, benchmarking, outcomes analysis",
        iso_42001="A.6.2.6, A.6.2.8, A.8.4, A.7.4",
        nist_ai_rmf="MEASURE 2.4, 2.6, 2.7, 3.1; MANAGE 4.1, 4.3; GOVERN 4.3",
        artifact_kinds=(ArtifactKind.OBSERVABILITY_PLAN, ArtifactKind.TELEMETRY_REVIEW),
    ),
    CrosswalkRow(
        key="rollback",
        evidence="Tested rollback",
        what_it_shows="The way back was exercised outside production before the system went forward.",
        eu_ai_act="Art. 14(4)(d)–(e); Art. 15(4); Art. 20; Art. 26(5); Annex IV §2(f)",
        sr_11_7="Implementation controls, change control, contingency plans",
        iso_42001="A.6.2.5, A.6.2.6, A.10.3",
        nist_ai_rmf="MANAGE 2.3, 2.4, 4.1; GOVERN 6.2; MEASURE 2.6",
        artifact_kinds=(ArtifactKind.ROLLBACK_TEST,),
    ),
    CrosswalkRow(
        key="second_line_signoff",
        evidence="Second-line sign-off",
        what_it_shows="Functions independent of the builders challenged the evidence and approved the move.",
        eu_ai_act="Art. 9(5); Art. 17; Art. 43; Art. 6(4); Art. 27; Art. 26(2)",
        sr_11_7="Independent validation, effective challenge, approval",
        iso_42001="A.3.2, A.5.3, A.6.2.4",
        nist_ai_rmf="GOVERN 2.1, 2.3; MEASURE 1.3; MANAGE 1.1, 1.4",
        requirement_prefixes=("signoff.", "owner."),
    ),
    CrosswalkRow(
        key="communication_plan",
        evidence="Communication plan",
        what_it_shows="Users and affected people are told what changes, what to expect, and where to escalate.",
        eu_ai_act="Art. 4; Art. 13; Art. 26(7), 26(11); Art. 50; Art. 73; Art. 86",
        sr_11_7="Reporting, communicating limitations",
        iso_42001="A.3.3, A.8.2–A.8.5",
        nist_ai_rmf="GOVERN 4.2, 5.1; MEASURE 3.3; MANAGE 4.3",
        artifact_kinds=(ArtifactKind.COMMUNICATION_PLAN,),
    ),
)


def crosswalk_for(*, artifact_kinds: set[str], met_requirement_keys: set[str]) -> list[dict]:
    """The crosswalk rows the supplied evidence speaks to, each with what supplied it."""
    rows = []
    for row in CROSSWALK:
        supplied = [ArtifactKind(k).label for k in row.artifact_kinds if k in artifact_kinds]
        supplied += sorted(
            key for key in met_requirement_keys if any(key.startswith(p) for p in row.requirement_prefixes)
        )
        if supplied:
            rows.append({"row": row, "supplied_by": supplied})
    return rows
