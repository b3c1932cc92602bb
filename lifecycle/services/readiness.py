"""The production-readiness check, answered with a note or a linked artifact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import use_case_may_change
from lifecycle.models import (
    Artifact,
    ReadinessAnswer,
    ReadinessQuestion,
    UseCase,
)
from lifecycle.services.base import use_case_lock


@dataclass(frozen=True)
class ReadinessInput:
    answer: bool
    note: str = ""
    artifact: Artifact | None = None


def readiness_answers_save(*, use_case: UseCase, actor: User, answers: Mapping[str, ReadinessInput]) -> int:
    """Answer (or re-answer) the production-readiness check. Returns how many answers changed."""
    errors: dict[str, str] = {}
    for question, given in answers.items():
        if question not in ReadinessQuestion.values:
            errors[question] = "Unknown readiness question."
        elif given.artifact is not None and given.artifact.use_case_id != use_case.pk:
            errors[question] = "The linked artifact must be evidence of this use case."
        elif not given.note.strip() and given.artifact is None:
            errors[question] = "Add a note or link an artifact that supports the answer."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may answer the readiness check.")
        existing = {a.question: a for a in ReadinessAnswer.objects.select_for_update().filter(use_case=use_case)}
        changes = {}
        for question, given in answers.items():
            old = existing.get(question)
            new_state = [given.answer, given.note.strip(), given.artifact.pk if given.artifact else None]
            old_state = [old.answer, old.note, old.artifact_id] if old else None
            if old_state == new_state:
                continue
            ReadinessAnswer.objects.update_or_create(
                use_case=use_case,
                question=question,
                defaults={
                    "answer": given.answer,
                    "note": given.note.strip(),
                    "artifact": given.artifact,
                    "answered_by": actor,
                },
            )
            changes[question] = [old_state, new_state]
        if changes:
            audit_record(
                actor=actor, verb=Verb.READINESS_ANSWERED, obj=use_case, use_case_id=use_case.pk, changes=changes
            )
            hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return len(changes)
