"""The pipeline gate: may this version run at a stage? Answered by the run gate (signoff/gates/run.py)."""

from __future__ import annotations

import re

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.authentication import token_scopes
from accounts.http import signed_in_user
from accounts.models import TokenScope
from lifecycle.access import use_cases_visible_to
from lifecycle.models import HIGHEST_STAGE, ModelVersion, Stage
from signoff.gates.run import RunAnswer, gate_run, use_case_for_gate

GATE_STAGES = "".join(str(s.value) for s in Stage.active())
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
MAX_LABEL = 50


class GateRequirementSerializer(serializers.Serializer):
    key = serializers.CharField()
    met = serializers.BooleanField()
    detail = serializers.CharField()


class GateVersionSerializer(serializers.Serializer):
    # A field named `label` shadows Field.label for the type checker only; the API's key is `label`.
    label = serializers.CharField()  # type: ignore[assignment]
    model_identifier = serializers.CharField()
    config_digest = serializers.CharField(allow_null=True)
    image_digest = serializers.CharField(allow_null=True)
    weights_digest = serializers.CharField(allow_null=True)
    role = serializers.ChoiceField(choices=["current", "rollback", "candidate"])


class GateApprovalSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    request_url = serializers.CharField()
    target_stage = serializers.IntegerField()
    approved_at = serializers.DateTimeField(allow_null=True)
    packet_id = serializers.CharField(allow_null=True)
    packet_url = serializers.CharField(allow_null=True)


class AuditHeadSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField()


class GateAnswerSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    stage = serializers.IntegerField()
    requirements = GateRequirementSerializer(many=True)
    version = GateVersionSerializer(allow_null=True)
    approval = GateApprovalSerializer(allow_null=True)
    pending = serializers.BooleanField(help_text="A request for this version at this stage or above is in review.")
    audit_head = AuditHeadSerializer()


def _version(version: ModelVersion | None, role: str | None) -> dict | None:
    if version is None:
        return None
    return {
        "label": version.label,
        "model_identifier": version.model_identifier,
        "config_digest": ModelVersion.digest(version.config_hash),
        "image_digest": ModelVersion.digest(version.image_hash),
        "weights_digest": ModelVersion.digest(version.weights_hash),
        "role": role,
    }


def _approval(answer: RunAnswer, request: Request) -> dict | None:
    approval = answer.approval
    if approval is None:
        return None
    packet = getattr(approval, "packet", None)
    return {
        "request": approval.pk,
        "request_url": reverse("readinessrequest-detail", args=[approval.pk], request=request),
        "target_stage": approval.target_stage,
        "approved_at": approval.decided_at,
        "packet_id": packet.packet_id if packet is not None else None,
        "packet_url": reverse("packet-detail", kwargs={"packet_id": packet.packet_id, "format": "pdf"}, request=request)
        if packet is not None
        else None,
    }


def _subject(request: Request) -> tuple[str | None, str | None]:
    label = request.query_params.get("version")
    digest = request.query_params.get("digest")
    if label is not None and digest is not None:
        raise exceptions.ValidationError({"version": "Name the version by its label or by a digest, not both."})
    if label is not None and not (0 < len(label) <= MAX_LABEL):
        raise exceptions.ValidationError({"version": f"A version label has 1 to {MAX_LABEL} characters."})
    if digest is not None and not DIGEST_RE.match(digest):
        raise exceptions.ValidationError({"digest": "Give the digest as sha256: and 64 lower-case hex digits."})
    return label, digest


@extend_schema(
    operation_id="use_case_gate",
    parameters=[
        OpenApiParameter(
            "stage", OpenApiTypes.INT, required=True, description=f"The stage to run at (0-{int(HIGHEST_STAGE)})."
        ),
        OpenApiParameter("version", OpenApiTypes.STR, description="The version's label."),
        OpenApiParameter(
            "digest", OpenApiTypes.STR, description="sha256:… of the version's configuration, image or weights."
        ),
    ],
    responses={200: GateAnswerSerializer},
    tags=["use-cases"],
)
@token_scopes({"GET": [TokenScope.GATE, TokenScope.READ]})
@api_view(["GET"])
def use_case_gate(request: Request, slug: str) -> Response:
    """May this version (or the one approved at the current stage) run at `stage`?"""
    raw = request.query_params.get("stage")
    if raw is None or raw == "":
        raise exceptions.ValidationError({"stage": "Give the stage to check, e.g. ?stage=3."})
    # One plain ASCII digit: int() would also take "+3", " 3" and "٣", which a pipeline never means.
    if len(raw) != 1 or raw not in GATE_STAGES:
        raise exceptions.ValidationError(
            {"stage": f"The stage must be one digit from 0 to {int(HIGHEST_STAGE)}, not {raw[:20]!r}."}
        )
    label, digest = _subject(request)
    use_case = use_case_for_gate(use_cases_visible_to(signed_in_user(request)), slug)
    if use_case is None:
        raise Http404("No such use case.")
    answer = gate_run(use_case=use_case, stage=int(raw), label=label, digest=digest)
    return Response(
        {
            **answer.result.as_api(),
            "version": _version(answer.version, answer.role),
            "approval": _approval(answer, request),
            "pending": answer.pending,
            "audit_head": {"seq": answer.head_seq, "hash": answer.head_hash},
        }
    )
