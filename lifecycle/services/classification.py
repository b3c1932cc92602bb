"""Risk classification: the EU AI Act questionnaire, answered; the newest assessment is current."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import classification_change_decide_refusal, risk_function_people, use_case_may_change
from lifecycle.models import (
    INTERNAL_TIER_RANK,
    TIER_RANK,
    RiskAssessment,
    Stage,
    StageChange,
    Tier,
    UseCase,
)
from lifecycle.questionnaire import answers_clean, classify, questionnaire_load
from lifecycle.services.base import flags_of, use_case_lock
from lifecycle.services.stages import stage_change_record
from notifications.services import Kind, notify


def risk_assessment_record(
    *, use_case: UseCase, actor: User, answers: Mapping[str, Any], is_final: bool, summary: str = ""
) -> RiskAssessment:
    """Answer the questionnaire; the newest assessment is the use case's classification.

    A use case classified prohibited is taken back to stage 0 in the same
    transaction: the practice may not run at all. One that would lower the EU or
    internal tier after stage 0 is recorded as pending: the classification in
    force stays until the risk function approves the change.
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
        lowers = _lowers(use_case, result.tier, result.internal_tier)
        # A later assessment replaces any change still waiting for a decision.
        RiskAssessment.objects.filter(use_case=use_case, state=RiskAssessment.State.PENDING).update(
            state=RiskAssessment.State.WITHDRAWN
        )
        assessment = RiskAssessment.objects.create(
            state=RiskAssessment.State.PENDING if lowers else RiskAssessment.State.IN_FORCE,
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
        if lowers:
            _change_requested(use_case, assessment, actor, before, cleaned)
            return assessment
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


def _lowers(use_case: UseCase, tier: str, internal_tier: str) -> bool:
    """After stage 0, does this result lower the tier in force, EU or internal?"""
    if use_case.stage == Stage.PROPOSED or use_case.risk_tier == Tier.UNCLASSIFIED:
        return False
    return TIER_RANK.get(tier, -1) < TIER_RANK.get(use_case.risk_tier, -1) or INTERNAL_TIER_RANK.get(
        internal_tier, -1
    ) < INTERNAL_TIER_RANK.get(use_case.internal_tier, -1)


def _change_requested(use_case: UseCase, assessment: RiskAssessment, actor: User, before: dict, answers: dict) -> None:
    audit_record(
        actor=actor,
        verb=Verb.CLASSIFICATION_CHANGE_REQUESTED,
        obj=assessment,
        use_case_id=use_case.pk,
        changes={
            "questionnaire": assessment.questionnaire_version,
            "tier": [before["risk_tier"], assessment.tier],
            "internal_tier": [before["internal_tier"], assessment.internal_tier],
            "answers": {qid: entry["answer"] for qid, entry in answers.items()},
        },
    )
    notify(
        users=risk_function_people().exclude(pk__in=use_case.owner_ids),
        kind=Kind.QUEUED,
        title=f"Classification change to approve: {use_case}",
        body=f"{actor} reclassified it {assessment.get_tier_display()} ({assessment.get_internal_tier_display()}); "
        f"until the risk function approves, it stays {use_case.get_risk_tier_display()}.",
        url=use_case.get_absolute_url(),
    )


def classification_change_decide(
    *, assessment: RiskAssessment, actor: User, approve: bool, note: str = ""
) -> RiskAssessment:
    """The risk function approves a pending change (it comes into force) or rejects it (the old one stays)."""
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": "Say why the change of classification is rejected."})
    with transaction.atomic():
        use_case = use_case_lock(use_case=assessment.use_case)
        assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
        assessment.use_case = use_case
        if refusal := classification_change_decide_refusal(actor, assessment):
            raise PermissionDenied(refusal)
        if assessment.state != RiskAssessment.State.PENDING:
            raise ValidationError(f"This assessment is not awaiting a decision: {assessment.get_state_display()}.")
        before = {"risk_tier": use_case.risk_tier, "internal_tier": use_case.internal_tier}
        assessment.state = RiskAssessment.State.IN_FORCE if approve else RiskAssessment.State.REJECTED
        assessment.decided_by, assessment.decided_at, assessment.decision_note = actor, timezone.now(), note
        assessment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if approve:
            use_case.risk_tier, use_case.internal_tier = assessment.tier, assessment.internal_tier
            use_case.save(update_fields=["risk_tier", "internal_tier", "updated_at"])
        audit_record(
            actor=actor,
            verb=Verb.CLASSIFICATION_CHANGE_APPROVED if approve else Verb.CLASSIFICATION_CHANGE_REJECTED,
            obj=assessment,
            use_case_id=use_case.pk,
            changes={
                "tier": [before["risk_tier"], use_case.risk_tier],
                "internal_tier": [before["internal_tier"], use_case.internal_tier],
                "note": note,
            },
        )
        notify(
            users=[assessment.assessed_by],
            kind=Kind.DECIDED,
            title=f"Classification change {'approved' if approve else 'rejected'}: {use_case}",
            body=note,
            url=use_case.get_absolute_url(),
        )
        if approve:
            hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=use_case, actor=actor)
    return assessment
