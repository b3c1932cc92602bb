"""What a packet says: its identity, the chain head it cites, and every section's content.

Every date comes from the data (the approval, the reviews, the events), never
from now(); the audit events and the chain head are those up to the request's
approval event, not whatever the chain holds at render time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    ReadinessAnswer,
    ReadinessQuestion,
    RiskAssessment,
    Stage,
)
from signoff.crosswalk import CROSSWALK_SOURCE, crosswalk_for
from signoff.models import APPROVING_DECISIONS, ReadinessRequest, Review, ReviewCondition, ReviewState
from signoff.packets.fetcher import PACKET_STATIC_URL, PACKET_STYLESHEET
from signoff.packets.sections import PacketSection, packet_sections_for

logger = logging.getLogger(__name__)


def packet_id_for(request: ReadinessRequest) -> str:
    """SG-<year of approval>-<request number>: derived from the request, so a re-render names it the same."""
    decided = request.decided_at or request.created_at
    return f"SG-{decided.year:04d}-{request.pk:06d}"


@dataclass(frozen=True)
class ChainPoint:
    seq: int
    hash: str
    created_at: datetime | None


def approval_chain_point(request: ReadinessRequest) -> ChainPoint:
    """The audit chain's head as it stood when the request was approved.

    The approval event itself is the head at that moment. A request approved
    without one (imported history) falls back to the newest event up to the
    decision time, which is as reproducible.
    """
    events = AuditEvent.objects.order_by("-seq")
    event = events.filter(request_id=request.pk, verb=Verb.REQUEST_APPROVED).first()
    if event is None and request.decided_at is not None:
        event = events.filter(created_at__lte=request.decided_at).first()
    if event is None:
        return ChainPoint(0, AuditEvent.GENESIS_HASH, None)
    return ChainPoint(event.seq, event.hash, event.created_at)


@dataclass
class Section:
    anchor: str
    title: str


SECTIONS = [
    Section("decision", "Cover and decision"),
    Section("registry", "Registry entry and approved version"),
    Section("classification", "Risk classification"),
    Section("gate", "Gate result at approval"),
    Section("evidence", "Evidence index"),
    Section("evaluation", "Evaluation against thresholds"),
    Section("readiness", "Production-readiness check"),
    Section("reviews", "Reviews"),
    Section("independence", "Reviewer independence"),
    Section("crosswalk", "Framework crosswalk"),
    Section("audit", "Audit trail of the request"),
    Section("verify", "How to verify this packet"),
]


@dataclass
class AnswerRow:
    qid: str
    article: str
    text: str
    answer: str
    rationale: str


@dataclass(frozen=True)
class RegistryEntry:
    """The registry entry as the reviewers approved it (the request's snapshot), not as it reads today."""

    slug: str
    title: str
    purpose: str
    approved_scope: str
    business_kpi: str
    technical_owner: User
    business_owner: User | None
    team: str
    sunset_criteria: str
    processes_personal_data: bool
    customer_facing: bool
    regulated_decision: bool


def _registry_at_approval(request: ReadinessRequest, snapshot: dict) -> RegistryEntry:
    use_case = request.use_case
    recorded = snapshot.get("registry") or {}

    def value(name: str):
        return recorded.get(name, getattr(use_case, name))

    owner_keys = ("technical_owner_id", "business_owner_id")
    owner_ids = {recorded[key] for key in owner_keys if recorded.get(key) is not None}
    owners = {u.pk: u for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}

    def owner(key: str) -> User | None:
        owner_id = recorded.get(key)
        return owners.get(owner_id) if owner_id is not None else None

    technical = owner("technical_owner_id") or use_case.technical_owner
    business = owner("business_owner_id") if "business_owner_id" in recorded else use_case.business_owner
    return RegistryEntry(
        slug=use_case.slug,
        title=value("title"),
        purpose=value("purpose"),
        approved_scope=value("approved_scope"),
        business_kpi=value("business_kpi"),
        technical_owner=technical,
        business_owner=business,
        team=value("team"),
        sunset_criteria=value("sunset_criteria"),
        processes_personal_data=value("processes_personal_data"),
        customer_facing=value("customer_facing"),
        regulated_decision=value("regulated_decision"),
    )


@dataclass
class PacketContext:
    request: ReadinessRequest
    registry: RegistryEntry
    packet_id: str
    chain: ChainPoint
    reviews: list[Review]
    signatories: list[Review]
    conditions: list
    carried_conditions: list[ReviewCondition]
    assessment: RiskAssessment | None
    answers: list[AnswerRow]
    questionnaire_source: str
    gate: dict
    gate_from_snapshot: bool
    artifacts: list[dict]
    metrics: list[dict]
    readiness: list[dict]
    events: list[AuditEvent]
    crosswalk: list[dict]
    independence: list[str]
    verify_url: str
    extra_sections: list[PacketSection] = field(default_factory=list)
    sections: list[Section] = field(default_factory=lambda: list(SECTIONS))

    def __post_init__(self) -> None:
        # What other apps add goes before the audit trail and how to verify, which close every packet.
        added = [Section(s.anchor, s.title) for s in self.extra_sections]
        at = next((i for i, s in enumerate(self.sections) if s.anchor == "audit"), len(self.sections))
        self.sections = [*self.sections[:at], *added, *self.sections[at:]]

    def as_template_context(self) -> dict:
        return {
            "p": self,
            "use_case": self.registry,
            "version": self.request.version,
            "target_stage_label": Stage(self.request.target_stage).label,
            "from_stage_label": Stage(self.request.from_stage).label,
            "crosswalk_source": CROSSWALK_SOURCE,
            "stylesheet_url": PACKET_STATIC_URL + PACKET_STYLESHEET,
            "site_name": settings.SITE_NAME,
        }


def _answer_label(entry) -> str:
    if not isinstance(entry, dict):
        return "—" if entry is None else str(entry)
    answer = entry.get("answer")
    text = {True: "Yes", False: "No", None: "Not answered"}.get(answer, str(answer))
    if entry.get("areas"):
        text += f" ({', '.join(str(a) for a in entry['areas'])})"
    return text


def _questionnaire_rows(assessment: RiskAssessment | None) -> tuple[list[AnswerRow], str]:
    if assessment is None or not isinstance(assessment.answers, dict):
        return [], ""
    texts: dict[str, tuple[str, str]] = {}
    source = ""
    try:
        from lifecycle.questionnaire import questionnaire_load

        questionnaire = questionnaire_load()
        texts = {q.id: (q.article, q.text) for q in questionnaire.questions}
        source = f"{questionnaire.title} ({questionnaire.version}), checked {questionnaire.checked_on:%d %b %Y}"
    except (ImportError, OSError, ValueError, KeyError):
        # The questionnaire ships with the lifecycle app; without it the answers still print by id.
        logger.warning("Questionnaire texts unavailable; printing answers by question id.")
    rows = []
    for qid in sorted(assessment.answers, key=str):
        entry = assessment.answers[qid]
        article, text = texts.get(str(qid), ("", ""))
        rationale = entry.get("rationale", "") if isinstance(entry, dict) else ""
        rows.append(AnswerRow(str(qid), article, text, _answer_label(entry), str(rationale or "")))
    return rows, source


def _assessment_at_approval(request: ReadinessRequest, snapshot: dict) -> RiskAssessment | None:
    qs = RiskAssessment.objects.filter(use_case_id=request.use_case_id).select_related("assessed_by")
    assessment_id = (snapshot.get("assessment") or {}).get("id")
    if assessment_id:
        found = qs.filter(pk=assessment_id).first()
        if found is not None:
            return found
    if request.decided_at is not None:
        qs = qs.filter(created_at__lte=request.decided_at)
    return qs.order_by("-created_at", "-id").first()


def _artifacts_at_approval(request: ReadinessRequest, snapshot: dict) -> list[dict]:
    """The evidence index: what the reviewers approved, from the request's snapshot."""
    entries = snapshot.get("artifacts")
    if not entries:
        rows = Artifact.objects.filter(use_case_id=request.use_case_id, is_current=True).order_by("kind", "id")
        entries = [
            {"id": a.pk, "kind": a.kind, "sha256": a.sha256, "name": a.original_name, "size": a.size} for a in rows
        ]
    ids = [e.get("id") for e in entries if e.get("id")]
    uploaded = {
        a["pk"]: a
        for a in Artifact.objects.filter(pk__in=ids).values("pk", "title", "uploaded_at", "uploaded_by__username")
    }
    out = []
    for entry in sorted(entries, key=lambda e: (str(e.get("kind", "")), str(e.get("name", "")))):
        kind = str(entry.get("kind", ""))
        extra: Mapping[str, Any] = uploaded.get(entry.get("id"), {})
        out.append(
            {
                "kind": kind,
                "kind_label": ArtifactKind(kind).label if kind in ArtifactKind.values else kind,
                "name": str(entry.get("name") or entry.get("original_name") or ""),
                "size": int(entry.get("size") or 0),
                "sha256": str(entry.get("sha256", "")),
                "uploaded_at": extra.get("uploaded_at"),
                "uploaded_by": extra.get("uploaded_by__username", ""),
            }
        )
    return out


def _metrics_at_approval(request: ReadinessRequest, snapshot: dict) -> list[dict]:
    version = snapshot.get("version") or {}
    metrics = version.get("metrics")
    if metrics is None:
        metrics = list(
            EvaluationMetric.objects.filter(version_id=request.version_id)
            .order_by("name")
            .values("name", "value", "threshold", "direction")
        )
    out = []
    for m in metrics:
        direction = EvaluationMetric.Direction(m["direction"])
        passes = (
            m["value"] >= m["threshold"]
            if direction == EvaluationMetric.Direction.AT_LEAST
            else (m["value"] <= m["threshold"])
        )
        out.append({**m, "direction_label": direction.label, "passes": passes})
    return out


ANSWER_LABELS: dict[bool | None, str] = {True: "Yes", False: "No"}


def _readiness_at_approval(request: ReadinessRequest, snapshot: dict) -> list[dict]:
    answers = {
        a.question: a
        for a in ReadinessAnswer.objects.filter(use_case_id=request.use_case_id).select_related("answered_by")
    }
    recorded = snapshot.get("readiness") or {}
    out = []
    for question in ReadinessQuestion:
        row = answers.get(question.value)
        value = recorded.get(question.value, row.answer if row is not None else None)
        # A note edited after approval would make the packet differ from what was approved; keep it only
        # if the answer is unchanged since the decision.
        unchanged = row is not None and (request.decided_at is None or row.answered_at <= request.decided_at)
        kept = row if unchanged else None
        out.append(
            {
                "question": question.label,
                "answer": ANSWER_LABELS.get(value, "Not answered"),
                "note": kept.note if kept is not None else "",
                "answered_by": str(kept.answered_by) if kept is not None else "",
            }
        )
    return out


def _gate_at_approval(request: ReadinessRequest) -> tuple[dict, bool]:
    if request.approval_gate_result:
        return request.approval_gate_result, True
    from signoff.gates import gate_evaluate

    return gate_evaluate(use_case=request.use_case, target_stage=request.target_stage, request=request).as_snapshot(), (
        False
    )


def _independence_lines(request: ReadinessRequest, signatories: list[Review]) -> list[str]:
    lines = []
    owners = {request.use_case.technical_owner_id, request.use_case.business_owner_id, request.use_case.created_by_id}
    for review in signatories:
        who = review.decided_by
        ok = who is not None and who.pk != request.submitted_by_id and who.pk not in owners
        lines.append(
            f"{_person(who)} signed for {review.function.name}: "
            + (
                "neither the submitter nor an owner of the use case."
                if ok
                else "WARNING: the signer is the submitter or an owner of the use case."
            )
        )
    signer_ids = [r.decided_by_id for r in signatories]
    if len(signer_ids) == len(set(signer_ids)):
        lines.append("No person signed for more than one function of this request.")
    else:
        lines.append("WARNING: one person signed for more than one function of this request.")
    return lines


def _person(user: User | None) -> str:
    if user is None:
        return "—"
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def packet_context(*, request: ReadinessRequest) -> PacketContext:
    """Everything the packet prints, gathered from the data as it stood at approval."""
    request = (
        ReadinessRequest.objects.select_related(
            "use_case__technical_owner",
            "use_case__business_owner",
            "version",
            "submitted_by",
            "owner_accepted_by",
        )
        .prefetch_related("version__metrics")
        .get(pk=request.pk)
    )
    snapshot = request.evidence_snapshot or {}
    chain = approval_chain_point(request)
    reviews = list(
        Review.objects.filter(request=request, decided_at__isnull=False)
        .select_related("function", "decided_by", "assignee")
        .prefetch_related("conditions__owner")
        .order_by("revision", "function__key", "id")
    )
    signatories = [
        r
        for r in reviews
        if r.revision == request.revision and r.state == ReviewState.DECIDED and r.decision in APPROVING_DECISIONS
    ]
    conditions = [(r, c) for r in signatories for c in r.conditions.all()]
    carried = _conditions_carried(request, {c.pk for _r, c in conditions})
    assessment = _assessment_at_approval(request, snapshot)
    answers, questionnaire_source = _questionnaire_rows(assessment)
    gate, from_snapshot = _gate_at_approval(request)
    artifacts = _artifacts_at_approval(request, snapshot)
    events = list(
        AuditEvent.objects.filter(Q(request_id=request.pk) | Q(use_case_id=request.use_case_id), seq__lte=chain.seq)
        .order_by("seq")
        .only("seq", "created_at", "actor_label", "verb", "object_repr", "hash", "request_id")
    )
    met_keys = {r["key"] for r in gate.get("requirements", []) if r.get("met")}
    return PacketContext(
        request=request,
        registry=_registry_at_approval(request, snapshot),
        packet_id=packet_id_for(request),
        chain=chain,
        reviews=reviews,
        signatories=signatories,
        conditions=conditions,
        carried_conditions=carried,
        assessment=assessment,
        answers=answers,
        questionnaire_source=questionnaire_source,
        gate=gate,
        gate_from_snapshot=from_snapshot,
        artifacts=artifacts,
        metrics=_metrics_at_approval(request, snapshot),
        readiness=_readiness_at_approval(request, snapshot),
        events=events,
        crosswalk=crosswalk_for(artifact_kinds={a["kind"] for a in artifacts}, met_requirement_keys=met_keys),
        independence=_independence_lines(request, signatories),
        verify_url=settings.SITE_URL + reverse("signoff:packet-verify"),
        extra_sections=packet_sections_for(request),
    )


def _conditions_carried(request: ReadinessRequest, own: set[int]) -> list[ReviewCondition]:
    """Conditions of earlier approvals (or revisions) still open when this one was approved.

    Read as of the approval, not now, so the same request renders the same packet later.
    """
    if request.decided_at is None:
        return []
    return list(
        ReviewCondition.objects.filter(use_case_id=request.use_case_id, created_at__lte=request.decided_at)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=request.decided_at))
        .exclude(pk__in=own)
        .select_related("owner", "review__function")
        .order_by("due_date", "id")
    )
