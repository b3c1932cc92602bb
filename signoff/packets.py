"""Sign-off packets: the PDF that proves who approved what, on which evidence, when.

A packet is rendered once, when a readiness request is approved, and stored
with its SHA-256. It must be reproducible: the same request renders to the
same bytes, so that anyone can re-render it and compare. That rules out
anything that depends on when or where it is rendered:

- every date in it comes from the data (the approval, the reviews, the
  events), never from now();
- the audit events and the chain head are those up to the request's approval
  event, not whatever the chain holds at render time;
- fonts come from the system's Debian packages, and SOURCE_DATE_EPOCH (set in
  settings) keeps font subsetting from stamping the current time;
- WeasyPrint fetches nothing but the project's own static files: a packet that
  pulled a stylesheet or image from the network (or from file:///etc/...) would
  neither be reproducible nor safe, since parts of it are user-supplied text.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb, audit_record
from lifecycle.access import use_cases_visible_to
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
from signoff.models import APPROVING_DECISIONS, Packet, ReadinessRequest, RequestState, Review, ReviewState

logger = logging.getLogger(__name__)

# The packet's HTML is rendered against this base URL so that relative and
# /static/ references resolve to something the fetcher can recognise. The
# .invalid TLD (RFC 2606) can never resolve, should anything slip through.
PACKET_BASE_URL = "https://packet.stagegate.invalid/"
# Static files are named by their source path under this prefix, not with {% static %}: in production
# the static storage hashes names (and STATIC_URL may point to a CDN), and neither may change a packet.
PACKET_STATIC_URL = PACKET_BASE_URL + "static/"
PACKET_STYLESHEET = "css/packet.css"
PACKET_TEMPLATE = "signoff/packet.html"
PDF_VARIANT = "pdf/a-3b"
PDF_MAGIC = b"%PDF-"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


# Fetching -----------------------------------------------------------------------


class PacketFetchRefused(ValueError):
    """A resource outside the project's static files was asked for; it is not fetched."""


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files to WeasyPrint and refuses everything else.

    WeasyPrint catches the refusal, logs it and renders without the resource,
    so a hostile URL in user text (were it ever to escape autoescaping) or in a
    template costs an image, never a request.
    """

    def __init__(self) -> None:
        super().__init__(fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_path_for(url)
        if path is None:
            self.refused.append(url)
            raise PacketFetchRefused(f"Packets may only use the portal's own static files, not {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_path_for(url: str) -> Path | None:
    """The file under the static directories that `url` names, or None if it names anything else."""
    if not url.startswith(PACKET_STATIC_URL):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    relative = unquote(url[len(PACKET_STATIC_URL) :])
    segments = relative.split("/")
    if not relative or any(s in ("", ".", "..") for s in segments) or "\\" in relative or "\x00" in relative:
        return None
    found = finders.find(relative)
    if not found or isinstance(found, list):
        return None
    path = Path(found).resolve()
    # The finders already join safely; check the result is really under a static root all the same.
    roots = [Path(r).resolve() for r in _static_roots()]
    if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
        return None
    return path


def _static_roots() -> list[str]:
    roots = [str(d[1] if isinstance(d, tuple | list) else d) for d in settings.STATICFILES_DIRS]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(str(location))
    return roots


# Identity and the chain head ------------------------------------------------------


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


# The packet's content --------------------------------------------------------------


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

    owner_ids = {recorded.get("technical_owner_id"), recorded.get("business_owner_id")} - {None}
    owners = {u.pk: u for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    technical = owners.get(recorded.get("technical_owner_id")) or use_case.technical_owner
    recorded_business = "business_owner_id" in recorded
    business = owners.get(recorded["business_owner_id"]) if recorded_business else use_case.business_owner
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
    sections: list[Section] = field(default_factory=lambda: list(SECTIONS))

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
        extra = uploaded.get(entry.get("id"), {})
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
        out.append(
            {
                "question": question.label,
                "answer": {True: "Yes", False: "No"}.get(value, "Not answered"),
                "note": row.note if unchanged else "",
                "answered_by": str(row.answered_by) if unchanged else "",
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
    )


def packet_html(*, request: ReadinessRequest) -> str:
    return render_to_string(PACKET_TEMPLATE, packet_context(request=request).as_template_context())


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    page_count: int
    refused: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def pdf_render(*, html: str) -> RenderedPdf:
    """HTML to PDF/A-3b with the static-only fetcher. Pure: the same HTML gives the same bytes."""
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=PACKET_BASE_URL, url_fetcher=fetcher).render()
    data = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPdf(data=data, page_count=len(document.pages), refused=tuple(fetcher.refused))


# The service -----------------------------------------------------------------------------


def packet_render(*, request: ReadinessRequest) -> Packet:
    """Render and store the packet of an approved request, once.

    Idempotent: a request that already has a packet gets it back, never a
    re-render over it. Rendering is slow, so it happens outside the
    transaction; two workers racing on the same request both render, then the
    one that takes the request's row lock first stores its packet and the
    other finds it (the one-to-one constraint backs this on databases without
    row locks).
    """
    existing = Packet.objects.filter(request_id=request.pk).first()
    if existing is not None:
        return existing
    if request.state != RequestState.APPROVED:
        raise ValidationError(
            f"Only approved requests get a sign-off packet; this one is {request.get_state_display().lower()}."
        )
    context = packet_context(request=request)
    rendered = pdf_render(html=render_to_string(PACKET_TEMPLATE, context.as_template_context()))
    if rendered.refused:
        logger.warning("Packet %s: refused to fetch %s", context.packet_id, ", ".join(rendered.refused))

    packet = Packet(
        request_id=request.pk,
        packet_id=context.packet_id,
        sha256=rendered.sha256,
        size=len(rendered.data),
        page_count=rendered.page_count,
        audit_head_hash=context.chain.hash,
        audit_head_seq=context.chain.seq,
    )
    stored_name = ""
    try:
        with transaction.atomic():
            ReadinessRequest.objects.select_for_update().filter(pk=request.pk).first()
            existing = Packet.objects.filter(request_id=request.pk).first()
            if existing is not None:
                return existing
            packet.file.save(f"{context.packet_id}.pdf", ContentFile(rendered.data), save=False)
            stored_name = packet.file.name
            packet.save(force_insert=True)
            audit_record(
                actor=None,
                actor_label="system",
                verb=Verb.PACKET_RENDERED,
                obj=packet,
                use_case_id=request.use_case_id,
                request_id=request.pk,
                changes={
                    "packet_id": packet.packet_id,
                    "sha256": packet.sha256,
                    "size": packet.size,
                    "page_count": packet.page_count,
                    "audit_head_seq": packet.audit_head_seq,
                    "audit_head_hash": packet.audit_head_hash,
                },
            )
    except IntegrityError:
        if stored_name:
            packet.file.storage.delete(stored_name)
        return Packet.objects.get(request_id=request.pk)
    except BaseException:
        if stored_name:
            packet.file.storage.delete(stored_name)
        raise
    return packet


# Verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    sha256: str
    packet: Packet | None
    stored_file_intact: bool | None = None

    @property
    def issued(self) -> bool:
        return self.packet is not None

    @property
    def ok(self) -> bool:
        return self.packet is not None and self.stored_file_intact is True


def sha256_clean(value: str) -> str:
    """A pasted SHA-256, normalised; ValidationError naming the problem if it is not one."""
    cleaned = (value or "").strip().lower()
    cleaned = cleaned.removeprefix("sha256:").strip()
    if not cleaned:
        raise ValidationError("Give a SHA-256: 64 hexadecimal characters.")
    if not SHA256_RE.match(cleaned):
        raise ValidationError(
            f"That is not a SHA-256: expected 64 hexadecimal characters (0-9, a-f), got {len(cleaned)} characters."
        )
    return cleaned


def pdf_bytes_clean(data: bytes, *, max_bytes: int | None = None) -> bytes:
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    if not data:
        raise ValidationError("The file is empty.")
    if len(data) > limit:
        raise ValidationError(f"The file is too large: packets are at most {limit // (1024 * 1024)} MB.")
    if not data.startswith(PDF_MAGIC):
        raise ValidationError("That is not a PDF file (it does not start with %PDF-).")
    return data


def packet_file_intact(packet: Packet) -> bool:
    """Whether the stored file still hashes to the recorded SHA-256."""
    digest = hashlib.sha256()
    try:
        with packet.file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(chunk)
    except (FileNotFoundError, OSError, ValueError):
        return False
    return digest.hexdigest() == packet.sha256


def packet_verify(*, data: bytes | None = None, sha256: str | None = None) -> Verification:
    """Is this a packet the portal issued? Give the file's bytes or its SHA-256."""
    digest = hashlib.sha256(pdf_bytes_clean(data)).hexdigest() if data is not None else sha256_clean(sha256 or "")
    packet = Packet.objects.select_related("request__use_case", "request__submitted_by").filter(sha256=digest).first()
    if packet is None:
        return Verification(sha256=digest, packet=None)
    return Verification(sha256=digest, packet=packet, stored_file_intact=packet_file_intact(packet))


# Reads and downloads ---------------------------------------------------------------------------


def packets_visible_to(user: User) -> QuerySet[Packet]:
    """Packets of the use cases the user may see.

    Auditors and administrators see every packet. The registry is visible to
    every role holder (lifecycle.access), and a packet is the record of a
    decision about a registry entry, so engineers and reviewers see the
    packets of the same use cases; an account without a role sees none.
    """
    return Packet.objects.filter(request__use_case__in=use_cases_visible_to(user))


def packets_list(
    *, user: User, use_case: str = "", stage: int | None = None, since=None, until=None
) -> QuerySet[Packet]:
    qs = packets_visible_to(user).select_related("request__use_case")
    if use_case:
        qs = qs.filter(Q(request__use_case__slug=use_case) | Q(request__use_case__title__icontains=use_case))
    if stage is not None:
        qs = qs.filter(request__target_stage=stage)
    # Filter on the approval, the date an auditor asks about; the packet follows it within moments.
    if since is not None:
        qs = qs.filter(request__decided_at__date__gte=since)
    if until is not None:
        qs = qs.filter(request__decided_at__date__lte=until)
    return qs.order_by("-request__decided_at", "-id")


def get_packet_for_user(user: User, packet_id: str) -> Packet:
    packet = (
        packets_visible_to(user)
        .select_related("request__use_case", "request__submitted_by", "request__version")
        .filter(packet_id=packet_id)
        .first()
    )
    if packet is None:
        raise Http404("No such packet.")
    return packet


def packet_download_record(*, packet: Packet, actor: User) -> None:
    """Downloads are evidence too: who took a copy of which packet."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.PACKET_DOWNLOADED,
            obj=packet,
            use_case_id=packet.request.use_case_id,
            request_id=packet.request_id,
            changes={"packet_id": packet.packet_id, "sha256": packet.sha256},
        )


def packet_verify_record(*, verification: Verification, actor: User) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.PACKET_VERIFIED,
            obj=verification.packet,
            use_case_id=verification.packet.request.use_case_id if verification.packet else None,
            request_id=verification.packet.request_id if verification.packet else None,
            changes={
                "sha256": verification.sha256,
                "issued": verification.issued,
                "stored_file_intact": verification.stored_file_intact,
            },
        )
