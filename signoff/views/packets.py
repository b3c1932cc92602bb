"""Pages for sign-off packets: the auditor's list, a packet's page, its download, and verification."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from lifecycle.models import Stage
from signoff.filters import PacketFilterSet
from signoff.models import APPROVING_DECISIONS, Review, ReviewState
from signoff.packet_forms import PacketVerifyForm
from signoff.packets import (
    get_packet_for_user,
    packet_download_record,
    packet_file_intact,
    packet_verify,
    packet_verify_record,
    packets_for_list,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


class PacketAction:
    DOWNLOAD = "download"
    VERIFY = "verify"


def _require_role(request: AuthenticatedHttpRequest) -> None:
    # An account without a role sees nothing and cannot tell what exists.
    if not request.user.has_any_role:
        raise Http404("No such page.")


@require_safe
def packet_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_role(request)
    filterset = PacketFilterSet(request.GET, queryset=packets_for_list(user=request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "signoff/packet_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "crumbs": [("Sign-off packets", None)],
        },
    )


@require_safe
def packet_detail(request: AuthenticatedHttpRequest, packet_id: str) -> HttpResponse:
    _require_role(request)
    packet = get_packet_for_user(request.user, packet_id)
    readiness = packet.request
    signatories = (
        Review.objects.filter(
            request=readiness,
            revision=readiness.revision,
            state=ReviewState.DECIDED,
            decision__in=APPROVING_DECISIONS,
        )
        .select_related("function", "decided_by")
        .order_by("function__key")
    )
    return render(
        request,
        "signoff/packet_detail.html",
        {
            "packet": packet,
            "readiness": readiness,
            "use_case": readiness.use_case,
            "target_stage_label": Stage(readiness.target_stage).label,
            "signatories": signatories,
            "file_intact": packet_file_intact(packet),
            # Reading a packet is all anyone does with it; auditors included.
            "actions": [PacketAction.DOWNLOAD, PacketAction.VERIFY],
            "crumbs": [("Sign-off packets", reverse("signoff:packet-list")), (packet.packet_id, None)],
        },
    )


@require_safe
def packet_download(request: AuthenticatedHttpRequest, packet_id: str) -> HttpResponseBase:
    _require_role(request)
    packet = get_packet_for_user(request.user, packet_id)
    try:
        fh = packet.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        logger.error("Packet %s: stored file %s is missing", packet.packet_id, packet.file.name)
        raise Http404("The packet's file is missing from storage; tell an administrator.") from None
    packet_download_record(packet=packet, actor=request.user)
    response = FileResponse(fh, as_attachment=True, filename=f"{packet.packet_id}.pdf", content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def packet_verify_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Anyone signed in may check a packet they hold; what they learn beyond yes/no depends on their access."""
    verification = None
    detail_url = ""
    status = 200
    if request.method == "POST":
        form = PacketVerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            verification = packet_verify(data=data["file"] or None, sha256=data["sha256"] or None)
            packet_verify_record(verification=verification, actor=request.user)
            packet = verification.packet
            if packet is None:
                messages.error(request, "The portal did not issue a packet with this SHA-256.")
            elif verification.ok:
                messages.success(request, f"This is packet {packet.packet_id}, issued by the portal.")
            else:
                messages.error(request, "The portal issued this packet, but its stored copy no longer matches.")
            if packet is not None and request.user.has_any_role:
                detail_url = reverse("signoff:packet-detail", args=[packet.packet_id])
        else:
            status = 413 if form.too_large else 400
    else:
        form = PacketVerifyForm()
    return render(
        request,
        "signoff/packet_verify.html",
        {
            "form": form,
            "verification": verification,
            "crumbs": [("Sign-off packets", reverse("signoff:packet-list")), ("Verify", None)],
            "visible": bool(detail_url),
            "detail_url": detail_url,
        },
        status=status,
    )
