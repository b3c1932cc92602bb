"""An approved readiness request, reached through the sign-off services, for the packet tests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle.models import ArtifactKind, Tier, UseCase
from signoff.models import Decision, Packet, ReadinessRequest, RequestState
from signoff.packets import packet_id_for
from signoff.services import ConditionInput, readiness_request_create, readiness_request_submit, review_decide
from tests import factories
from tests.signoff.helpers import business_owner, put_at_stage, supply_evidence

QUESTIONNAIRE_ANSWERS = {
    "Q01": {"answer": True, "rationale": "It generates summaries from ticket text."},
    "Q02": {"answer": True, "rationale": "Used by agents in the EU."},
    "Q13": {"answer": True, "rationale": "Agents see the text; customers do not interact with it directly."},
}


def approved_request(
    *,
    owner: User,
    leads: dict[str, User],
    slug: str = "support-summaries",
    title: str = "Support ticket summaries",
    purpose: str = "Summarise inbound tickets for support agents.",
    extra_artifacts: int = 0,
    conditions_owner: User | None = None,
    history_events: int = 0,
) -> ReadinessRequest:
    """A use case promoted from stage 2 to 3, signed by risk, compliance and legal.

    It processes personal data and is customer-facing, so all three functions must sign.
    """
    use_case = factories.UseCaseFactory(
        slug=slug,
        title=title,
        purpose=purpose,
        technical_owner=owner,
        business_owner=business_owner("bob"),
        processes_personal_data=True,
        customer_facing=True,
        risk_tier=Tier.LIMITED,
    )
    use_case = put_at_stage(use_case, 2)
    factories.RiskAssessmentFactory(
        use_case=use_case, tier=Tier.LIMITED, answers=QUESTIONNAIRE_ANSWERS, summary="Transparency duties only."
    )
    supply_evidence(use_case, 3, tier=Tier.LIMITED)
    for n in range(extra_artifacts):
        factories.ArtifactFactory(
            use_case=use_case, kind=ArtifactKind.OTHER, original_name=f"appendix-{n:03d}.pdf", title=f"Appendix {n}"
        )
    with transaction.atomic():
        for n in range(history_events):
            audit_record(
                actor=owner,
                verb=Verb.USE_CASE_UPDATED,
                obj=use_case,
                use_case_id=use_case.pk,
                changes={"approved_scope": ["…", f"revision {n}"]},
            )
    request = readiness_request_create(
        use_case=UseCase.objects.get(pk=use_case.pk), actor=owner, target_stage=3, justification="Pilot met its KPI."
    )
    request = readiness_request_submit(request=request, actor=owner)
    for review in request.reviews.filter(revision=request.revision).select_related("function"):
        lead = leads[review.function.key]
        if conditions_owner is not None and review.function.key == "risk":
            review_decide(
                review=review,
                actor=lead,
                decision=Decision.APPROVE_WITH_CONDITIONS,
                comment="Approved; monitor drift weekly.",
                conditions=[
                    ConditionInput(
                        text="Weekly drift report for the first quarter",
                        owner=conditions_owner,
                        due_date=timezone.localdate() + timedelta(days=30),
                    )
                ],
            )
        else:
            review_decide(review=review, actor=lead, decision=Decision.APPROVE, comment="")
    return ReadinessRequest.objects.get(pk=request.pk)


def packet_stub(*, use_case: UseCase, target_stage: int = 3, decided_at=None) -> Packet:
    """A stored packet row without rendering, for lists, filters and downloads (the PDF is not the point)."""
    version = factories.ModelVersionFactory(use_case=use_case)
    request = ReadinessRequest.objects.create(
        use_case=use_case,
        version=version,
        from_stage=target_stage - 1,
        target_stage=target_stage,
        state=RequestState.APPROVED,
        submitted_by=use_case.technical_owner,
        revision=1,
        decided_at=decided_at or timezone.now(),
    )
    packet_id = packet_id_for(request)
    content = f"%PDF-1.7\n% stub packet {packet_id}\n".encode()
    packet = Packet(
        request=request,
        packet_id=packet_id,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        unsigned_sha256=hashlib.sha256(content).hexdigest(),
        unsigned_size=len(content),
        page_count=1,
        audit_head_hash="0" * 64,
        audit_head_seq=0,
    )
    with transaction.atomic():
        packet.file.save(f"{packet_id}.pdf", ContentFile(content), save=False)
        packet.save()
        # As rendering does: the chain's record of the issue is what verification and downloads check.
        audit_record(
            actor=None,
            actor_label="system",
            verb=Verb.PACKET_RENDERED,
            obj=packet,
            use_case_id=use_case.pk,
            request_id=request.pk,
            changes={"packet_id": packet_id, "sha256": packet.sha256, "size": packet.size},
        )
    return packet


def attachment_rewritten(data: bytes, name: str, content: bytes, *, incremental: bool) -> bytes:
    """The packet with one attachment's content replaced and the file saved again, still a valid PDF.

    Saved as a PDF editor does: as a revision added after the signature
    (`incremental`), or rewritten from start to end.
    """
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject

    source = io.BytesIO(data)
    writer = PdfWriter(source, incremental=True) if incremental else PdfWriter(clone_from=PdfReader(source))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[names.index(name) + 1].get_object()
    stream = spec["/EF"]["/F"].get_object()
    stream.set_data(content)
    if "/Params" in stream:
        stream["/Params"][NameObject("/Size")] = NumberObject(len(content))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
