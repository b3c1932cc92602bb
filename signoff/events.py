"""What sign-off tells webhook receivers: a request submitted or decided, a packet issued.

Each is emitted inside the transaction of the change, so it is stored with it and sent only once it
commits (webhooks/services/emit.py). Payloads carry ids, states, stages, links and times, never
comments or evidence.
"""

from __future__ import annotations

from django.urls import reverse

from lifecycle.events import use_case_ref
from lifecycle.models import UseCase
from signoff.models import Packet, ReadinessRequest
from webhooks.models import EventType
from webhooks.payloads import absolute_url, timestamp
from webhooks.services import webhook_emit, webhook_wanted


def request_ref(request: ReadinessRequest) -> dict:
    return {
        "id": request.pk,
        "url": absolute_url(request.get_absolute_url()),
        "state": request.state,
        "revision": request.revision,
        "from_stage": request.from_stage,
        "target_stage": request.target_stage,
        "version": request.version.label,
    }


def _use_case(request: ReadinessRequest) -> dict:
    # Read again: an approval has just promoted the use case through another instance of it.
    return use_case_ref(UseCase.objects.get(pk=request.use_case_id))


def request_submitted_emit(*, request: ReadinessRequest, resubmitted: bool) -> None:
    if not webhook_wanted(type=EventType.REQUEST_SUBMITTED):
        return
    webhook_emit(
        type=EventType.REQUEST_SUBMITTED,
        payload={
            "request": {**request_ref(request), "submitted_at": timestamp(request.submitted_at)},
            "use_case": _use_case(request),
            "resubmitted": resubmitted,
            "snapshot_hash": request.snapshot_hash,
        },
    )


def request_decided_emit(*, request: ReadinessRequest, by_function: str | None = None) -> None:
    """An approved or rejected request; an approval's use case is already at its new stage."""
    if not webhook_wanted(type=EventType.REQUEST_DECIDED):
        return
    webhook_emit(
        type=EventType.REQUEST_DECIDED,
        payload={
            "request": {**request_ref(request), "decided_at": timestamp(request.decided_at)},
            "use_case": _use_case(request),
            "decision": request.state,
            # Which function rejected it; an approval is every function's.
            "by_function": by_function,
        },
    )


def packet_issued_emit(*, packet: Packet, request: ReadinessRequest) -> None:
    if not webhook_wanted(type=EventType.PACKET_ISSUED):
        return
    webhook_emit(
        type=EventType.PACKET_ISSUED,
        payload={
            "packet": {
                "packet_id": packet.packet_id,
                "sha256": packet.sha256,
                "url": absolute_url(packet.get_absolute_url()),
                "download_url": absolute_url(reverse("signoff:packet-download", args=[packet.packet_id])),
                "issued_at": timestamp(packet.created_at),
            },
            "request": request_ref(request),
            "use_case": _use_case(request),
        },
    )
