"""Running governance in the sign-off packet: as it stood when the request was approved (signoff/packets/sections.py).

An auditor reads here the findings still open, the incidents still open, the exceptions in force, any
suspension, and the next periodic review date the approval set. Each is read as of the approval's time, never
as of rendering, so the packet renders to the same bytes whenever it is rendered.
"""

from __future__ import annotations

from django.db.models import Q

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding, Incident, RequirementException, Suspension
from governance.services.exceptions import requirement_words
from signoff.models import ReadinessRequest
from signoff.packets.sections import PacketSection


def governance_packet_section(request: ReadinessRequest) -> PacketSection | None:
    decided = request.decided_at
    if decided is None:
        return None
    use_case_id = request.use_case_id
    findings = [
        {
            "finding": f,
            "state": "Remediated, awaiting validation"
            if f.remediated_at is not None and f.remediated_at <= decided
            else "Open",
        }
        for f in Finding.objects.filter(use_case_id=use_case_id, raised_at__lte=decided)
        .exclude(validated_at__lte=decided)
        .select_related("owner")
        .order_by("due_date", "id")
    ]
    incidents = list(
        Incident.objects.filter(Q(closed_at__isnull=True) | Q(closed_at__gt=decided), use_case_id=use_case_id)
        .filter(recorded_at__lte=decided)
        .order_by("aware_at", "id")
    )
    exceptions = [
        {"exception": e, "words": requirement_words(e.requirement_key)}
        for e in RequirementException.objects.filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=decided),
            use_case_id=use_case_id,
            granted_at__lte=decided,
            expires_on__gte=decided.date(),
        )
        .select_related("granted_by")
        .order_by("expires_on", "id")
    ]
    suspension = (
        Suspension.objects.filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=decided), use_case_id=use_case_id)
        .filter(suspended_at__lte=decided)
        .first()
    )
    approval = AuditEvent.objects.filter(request_id=request.pk, verb=Verb.REQUEST_APPROVED).order_by("-seq").first()
    next_review = (approval.changes or {}).get("revalidation_due") if approval is not None else None
    if isinstance(next_review, list):  # [before, after] where the approval recorded the change
        next_review = next_review[-1]
    return PacketSection(
        anchor="governance",
        title="Running governance at approval",
        template="governance/packet_section.html",
        context={
            "findings": findings,
            "incidents": incidents,
            "decided": decided,
            "exceptions": exceptions,
            "suspension": suspension,
            "next_review": next_review,
        },
    )
