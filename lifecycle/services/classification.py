"""Risk classification: the EU AI Act questionnaire, answered; the newest assessment is current."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import use_case_may_change
from lifecycle.models import (
    RiskAssessment,
    Stage,
    StageChange,
    Tier,
    UseCase,
)
from lifecycle.questionnaire import answers_clean, classify, questionnaire_load
from lifecycle.services.base import flags_of, use_case_lock
from lifecycle.services.stages import stage_change_record


def risk_assessment_record(
    *, use_case: UseCase, actor: User, answers: Mapping[str, Any], is_final: bool, summary: str = ""
) -> RiskAssessment:
    """Answer the questionnaire; the newest assessment is the use case's classification.

    A use case classified prohibited is taken back to stage 0 in the same
    transaction: the practice may not run at all.
    """
    cleaned, errors = answers_clean(answers)
    if errors:
        raise ValidationError({"answers": [f"{qid}: {message}" for qid, message in sorted(errors.items())]})
    with transaction.atomic():
        if classify(cleaned).tier == Tier.PROHIBITED and use_case_may_change(actor, use_case):
            # A prohibited practice ends every open promotion request; they are locked before the use case.
            hooks.stage_leaving(use_case=use_case, actor=actor, reason="Classified as a prohibited practice (Art. 5).")
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may classify it.")
        if use_case.stage == Stage.RETIRED:
            raise ValidationError("The use case is retired; it is not classified again.")
        result = classify(cleaned, flags=flags_of(use_case))
        assessment = RiskAssessment.objects.create(
            use_case=use_case,
            questionnaire_version=questionnaire_load().version,
            answers=cleaned,
            tier=result.tier,
            transparency_flags=result.transparency_flags,
            gpai=result.gpai,
            role=result.role,
            fria_required=result.fria_required,
            annex_iii_areas=result.annex_iii_areas,
            internal_tier=result.internal_tier,
            is_final=is_final,
            summary=(summary.strip() + "\n\n" if summary.strip() else "") + result.summary,
            assessed_by=actor,
        )
        before = {"risk_tier": use_case.risk_tier, "internal_tier": use_case.internal_tier}
        if result.tier == Tier.PROHIBITED and use_case.stage != Stage.PROPOSED:
            from_stage = use_case.stage
            use_case.demote(Stage.PROPOSED)
            use_case.risk_tier, use_case.internal_tier = result.tier, result.internal_tier
            # One UPDATE for stage and tier: the check constraint sees both at once.
            use_case.save(update_fields=["stage", "stage_entered_at", "risk_tier", "internal_tier", "updated_at"])
            stage_change_record(
                use_case=use_case,
                actor=actor,
                kind=StageChange.Kind.DEMOTION,
                from_stage=from_stage,
                reason=f"Classified prohibited (assessment #{assessment.pk}): it may not run at any stage.",
                verb=Verb.STAGE_DEMOTED,
            )
        else:
            use_case.risk_tier, use_case.internal_tier = result.tier, result.internal_tier
            use_case.save(update_fields=["risk_tier", "internal_tier", "updated_at"])
        audit_record(
            actor=actor,
            verb=Verb.ASSESSMENT_RECORDED,
            obj=assessment,
            use_case_id=use_case.pk,
            changes={
                "questionnaire": assessment.questionnaire_version,
                "is_final": is_final,
                "tier": [before["risk_tier"], result.tier],
                "internal_tier": [before["internal_tier"], result.internal_tier],
                "answers": {qid: entry["answer"] for qid, entry in cleaned.items()},
            },
        )
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return assessment
