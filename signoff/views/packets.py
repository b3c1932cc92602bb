"""Pages for sign-off packets: the auditor's list, a packet's page, its download, and verification."""

from __future__ import annotations

import io
import logging

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from lifecycle.models import Stage
from signoff.filters import PacketFilterSet
from signoff.models import APPROVING_DECISIONS, Review, ReviewState
from signoff.packet_forms import PacketVerifyForm
from signoff.packets import (
    get_packet_for_user,
    packet_download_bytes,
    packet_file_intact,
    packet_verify,
    packet_verify_record,
    packets_for_list,
    packets_visible_to,
    sha256_clean,
)
from signoff.throttles import PacketVerifyThrottle

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
    data = packet_download_bytes(packet=packet, actor=request.user)
    response = FileResponse(
        io.BytesIO(data), as_attachment=True, filename=f"{packet.packet_id}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sha256_or_blank(value: str) -> str:
    """A hash handed in the link (as the packet's notice gives it), to fill in; anything else is left out."""
    try:
        return sha256_clean(value)
    except ValidationError:
        return ""


@login_not_required
@require_http_methods(["GET", "POST"])
def packet_verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone may check a packet they hold, signed in or not; what they learn beyond the verdict depends on access."""
    verification = None
    detail_url = refusal = ""
    status = 200
    form = (
        PacketVerifyForm(request.POST, request.FILES)
        if request.method == "POST"
        else PacketVerifyForm(initial={"sha256": _sha256_or_blank(request.GET.get("sha256", ""))})
    )
    if request.method == "POST":
        throttle = PacketVerifyThrottle()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # reads only META and user
            wait = int(throttle.wait() or 60)
            form = PacketVerifyForm()
            refusal = f"Too many verifications from here: try again in {wait} seconds."
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            verification = packet_verify(data=data["file"] or None, sha256=data["sha256"] or None)
            user = request.user if isinstance(request.user, User) else None
            packet_verify_record(verification=verification, actor=user)
            if verification.packet is not None and user is not None and user.has_any_role:
                visible = packets_visible_to(user).filter(pk=verification.packet.pk).exists()
                detail_url = reverse("signoff:packet-detail", args=[verification.packet.packet_id]) if visible else ""
        else:
            status = 413 if form.too_large else 400
    crumbs: list[tuple[str, str | None]] = [("Verify a packet", None)]
    if request.user.is_authenticated:
        crumbs.insert(0, ("Sign-off packets", reverse("signoff:packet-list")))
    return render(
        request,
        "signoff/packet_verify.html",
        {
            "form": form,
            "verification": verification,
            "crumbs": crumbs,
            "detail_url": detail_url,
            "refusal": refusal,
            "api_url": reverse("packet-verify"),
        },
        status=status,
    )
