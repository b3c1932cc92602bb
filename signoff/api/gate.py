"""The pipeline gate: may this use case run at a stage?"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import signed_in_user
from lifecycle.access import get_use_case_for_user
from lifecycle.models import HIGHEST_STAGE, Stage
from signoff.gates import Mode, gate_evaluate

GATE_STAGES = [s.value for s in Stage.active()]


@extend_schema(
    operation_id="use_case_gate",
    parameters=[
        OpenApiParameter(
            "stage",
            OpenApiTypes.INT,
            required=True,
            description=f"The stage to run at ({GATE_STAGES[0]}-{HIGHEST_STAGE}).",
        )
    ],
    responses={
        200: inline_serializer(
            "GateAnswer",
            {
                "allowed": serializers.BooleanField(),
                "stage": serializers.IntegerField(),
                "requirements": serializers.ListField(
                    child=inline_serializer(
                        "GateRequirement",
                        {
                            "key": serializers.CharField(),
                            "met": serializers.BooleanField(),
                            "detail": serializers.CharField(),
                        },
                    )
                ),
            },
        )
    },
    tags=["use-cases"],
)
@api_view(["GET"])
def use_case_gate(request: Request, slug: str) -> Response:
    """May this use case run at `stage`? The deployment pipeline's question, answered by the one gate evaluator."""
    raw = request.query_params.get("stage")
    if raw is None or raw == "":
        raise exceptions.ValidationError({"stage": "Give the stage to check, e.g. ?stage=3."})
    # One plain ASCII digit: int() would also take "+3", " 3" and "٣", which a pipeline never means.
    if len(raw) != 1 or raw not in "".join(str(s) for s in GATE_STAGES):
        raise exceptions.ValidationError(
            {"stage": f"The stage must be one digit from 0 to {int(HIGHEST_STAGE)}, not {raw[:20]!r}."}
        )
    stage = int(raw)
    use_case = get_use_case_for_user(signed_in_user(request), slug)
    return Response(gate_evaluate(use_case=use_case, target_stage=stage, mode=Mode.RUN).as_api())
