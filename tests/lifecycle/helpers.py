"""Helpers for registry tests: audit events, the files on disk, a use case put at a stage, questionnaire answers."""

from audit.models import AuditEvent
from lifecycle.models import UseCase


def events_of(verb) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("seq"))


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def at_stage(use_case: UseCase, stage: int) -> UseCase:
    """Place a use case at a stage without a request (the stage field is protected on the model)."""
    UseCase.objects.filter(pk=use_case.pk).update(stage=stage)
    use_case.refresh_from_db()
    return use_case


def answers(**yes) -> dict:
    """Questionnaire answers: in scope (Q01, Q02), no Annex III area, every other question no unless named in `yes`."""
    out: dict[str, dict] = {f"Q{n:02d}": {"answer": False} for n in range(1, 21)}
    out["Q01"] = out["Q02"] = {"answer": True, "rationale": "In scope."}
    out["Q10"] = {"areas": []}
    for qid, value in yes.items():
        out[qid] = value if isinstance(value, dict) else {"answer": True, "rationale": f"{qid} applies."}
    return out
