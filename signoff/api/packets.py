"""Packets over the API: list, metadata, and the PDF itself (`/api/v1/packets/{packet_id}.pdf`)."""

from __future__ import annotations

import io

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.routers import DefaultRouter

from accounts.http import AuthenticatedRequest
from signoff.filters import PacketFilterSet
from signoff.models import Packet
from signoff.packets import get_packet_for_user, packet_download_bytes, packets_for_list

PACKET_ID_REGEX = r"SG-[0-9]{4}-[0-9]{6}"


class PdfRenderer(BaseRenderer):
    """Lets content negotiation pick the PDF for `.pdf` and `Accept: application/pdf`; the view sends the file."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # The download is a FileResponse and errors are switched to JSON (PacketViewSet.finalize_response).
        return data if isinstance(data, bytes) else b""


class PacketSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(source="request_id", read_only=True)
    use_case = serializers.SlugField(source="request.use_case.slug", read_only=True)
    target_stage = serializers.IntegerField(source="request.target_stage", read_only=True)
    approved_at = serializers.DateTimeField(source="request.decided_at", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Packet
        fields = [
            "packet_id",
            "request",
            "use_case",
            "target_stage",
            "approved_at",
            "sha256",
            "size",
            "unsigned_sha256",
            "timestamped_at",
            "page_count",
            "audit_head_seq",
            "audit_head_hash",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, packet: Packet) -> str:
        path = reverse("packet-detail", kwargs={"packet_id": packet.packet_id, "format": "pdf"})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def _require_role(user) -> None:
    if not user.has_any_role:
        raise NotFound("No such resource.")


@extend_schema_view(
    retrieve=extend_schema(
        description="The packet's metadata; with the `.pdf` suffix (or `Accept: application/pdf`), the PDF.",
        responses={200: PacketSerializer, (200, "application/pdf"): OpenApiTypes.BINARY},
    ),
)
class PacketViewSet(viewsets.ReadOnlyModelViewSet):
    """Sign-off packets of the use cases you may see (every role holder; auditors included)."""

    request: AuthenticatedRequest
    serializer_class = PacketSerializer
    lookup_field = "packet_id"
    lookup_value_regex = PACKET_ID_REGEX
    queryset = Packet.objects.none()
    filterset_class = PacketFilterSet

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) in ("retrieve", "download"):
            renderers.append(PdfRenderer())
        return renderers

    def finalize_response(self, request, response, *args, **kwargs):
        # An error on a .pdf URL is JSON, not a body mislabelled as a PDF.
        pdf = isinstance(getattr(request, "accepted_renderer", None), PdfRenderer)
        if pdf and not isinstance(response, FileResponse):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset(self):
        _require_role(self.request.user)
        return packets_for_list(user=self.request.user)

    def retrieve(self, request, *args, **kwargs):
        if request.accepted_renderer.format == PdfRenderer.format:
            return self._file_response()
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="")})
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, *args, **kwargs):
        return self._file_response()

    def _file_response(self) -> FileResponse:
        _require_role(self.request.user)
        packet = get_packet_for_user(self.request.user, self.kwargs["packet_id"])
        data = packet_download_bytes(packet=packet, actor=self.request.user)
        response = FileResponse(
            io.BytesIO(data), as_attachment=True, filename=f"{packet.packet_id}.pdf", content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


def register(router: DefaultRouter) -> None:
    router.register("packets", PacketViewSet, basename="packet")
