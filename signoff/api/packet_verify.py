"""`POST /api/v1/packets/verify`: anyone, signed in or not, may check a packet by its file or its SHA-256."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.parsers import StrictJSONParser
from signoff.packets import packet_verify, packet_verify_record, pdf_bytes_clean, verification_public
from signoff.throttles import PacketVerifyThrottle


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="The packet file (multipart/form-data).")
    sha256 = serializers.CharField(required=False, max_length=80, help_text="Or the SHA-256 of the file.")


VerificationSerializer = inline_serializer(
    "PacketVerification",
    fields={
        "verdict": serializers.ChoiceField(
            choices=[
                "genuine",
                "not_issued",
                "bytes_appended",
                "altered",
                "attachment_altered",
                "replaced_with_its_record",
                "record_altered",
                "signature_invalid",
            ]
        ),
        "ok": serializers.BooleanField(),
        "sha256": serializers.CharField(),
        "reasons": serializers.ListField(child=serializers.CharField()),
        "packet_id": serializers.CharField(allow_null=True),
        "issued_at": serializers.DateTimeField(allow_null=True),
        "stored_copy_intact": serializers.BooleanField(allow_null=True),
        "signature": inline_serializer(
            "PacketSignature",
            fields={
                "present": serializers.BooleanField(),
                "valid": serializers.BooleanField(),
                "signer": serializers.CharField(),
                "signer_fingerprint": serializers.CharField(),
                "signed_at": serializers.DateTimeField(allow_null=True),
                "timestamped_at": serializers.DateTimeField(allow_null=True),
                "timestamp_authority": serializers.CharField(),
                "problem": serializers.CharField(),
            },
            allow_null=True,
        ),
    },
)


@extend_schema(
    request={"multipart/form-data": VerifyRequestSerializer, "application/json": VerifyRequestSerializer},
    responses={200: VerificationSerializer},
    description=(
        "Is this a sign-off packet the portal issued, unaltered? No sign-in needed; rate-limited per client. "
        "Send the file (the full check: the document against the audit chain, the signature and its timestamp) "
        "or its SHA-256. The answer reveals no more than the packet itself says."
    ),
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([PacketVerifyThrottle])
@parser_classes([MultiPartParser, StrictJSONParser])
def packet_verify_api(request: Request) -> Response:
    if not isinstance(request.data, dict):
        raise ValidationError({"sha256": ['Send an object: the packet file (multipart) or {"sha256": ...}.']})
    upload = request.data.get("file")
    sha256 = request.data.get("sha256")
    if upload and sha256:
        raise ValidationError({"file": ["Give either a file or a SHA-256, not both."]})
    if not upload and not sha256:
        raise ValidationError({"file": ["Send the packet file (multipart) or its SHA-256."]})
    if upload:
        if not hasattr(upload, "read"):
            raise ValidationError({"file": ["Send the file as multipart/form-data."]})
        verification = packet_verify(data=pdf_bytes_clean(upload.read()))
    else:
        if not isinstance(sha256, str):
            raise ValidationError({"sha256": ["Give the SHA-256 as text."]})
        verification = packet_verify(sha256=sha256)
    packet_verify_record(verification=verification, actor=None)
    return Response(verification_public(verification))
