"""The production-readiness check over the API: the questions with their answers, and answering them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.http import signed_in_user
from lifecycle.access import get_use_case_for_user
from lifecycle.api.serializers import ReadinessSerializer, ReadinessWriteSerializer
from lifecycle.models import Artifact, UseCase
from lifecycle.selectors import readiness_of
from lifecycle.services import ReadinessInput, readiness_answers_save


def _readiness(use_case: UseCase) -> dict:
    return {
        "questions": [
            {
                "key": row.question.value,
                "question": row.question.label,
                "answer": row.answer.answer if row.answer else None,
                "note": row.answer.note if row.answer else "",
                "artifact": row.answer.artifact_id if row.answer else None,
                "answered_by": row.answer.answered_by.username if row.answer else None,
                "answered_at": row.answer.answered_at if row.answer else None,
            }
            for row in readiness_of(use_case)
        ]
    }


@extend_schema(
    methods=["GET"], summary="The readiness check: each question and its answer", responses=ReadinessSerializer
)
@extend_schema(
    methods=["PUT"],
    summary="Answer (or re-answer) questions of the readiness check; those not named keep their answers",
    request=ReadinessWriteSerializer,
    responses=ReadinessSerializer,
)
@api_view(["GET", "PUT"])
def readiness(request: Request, slug: str) -> Response:
    user = signed_in_user(request)
    if request.method == "GET":
        return Response(_readiness(get_use_case_for_user(user, slug)))
    use_case = get_use_case_for_user(user, slug, for_change=True)
    incoming = ReadinessWriteSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    answers = {}
    for key, given in incoming.validated_data["answers"].items():
        artifact = None
        if given.get("artifact") is not None:
            artifact = Artifact.objects.filter(pk=given["artifact"], use_case=use_case).first()
            if artifact is None:
                raise exceptions.ValidationError({key: "No such artifact of this use case."})
        answers[key] = ReadinessInput(answer=given["answer"], note=given["note"], artifact=artifact)
    readiness_answers_save(use_case=use_case, actor=user, answers=answers)
    return Response(_readiness(use_case))
