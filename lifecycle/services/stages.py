"""Stage changes: promotion (only through sign-off), demotion and retirement, each with a reason and on the record."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm import can_proceed

from accounts.models import User
from audit.services import Verb, audit_record
from lifecycle import hooks
from lifecycle.access import use_case_may_change, use_case_may_demote
from lifecycle.events import stage_changed_emit
from lifecycle.models import (
    ModelVersion,
    Stage,
    StageChange,
    UseCase,
)
from lifecycle.services.base import use_case_lock
from lifecycle.tallies import stage_stay_tally


def stage_change_record(
    *, use_case: UseCase, actor: User, kind: str, from_stage: int, reason: str, verb: Verb
) -> StageChange:
    use_case.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    change = StageChange.objects.create(
        use_case=use_case, kind=kind, from_stage=from_stage, to_stage=use_case.stage, reason=reason, actor=actor
    )
    stage_stay_tally(change=change)
    audit_record(
        actor=actor,
        verb=verb,
        obj=use_case,
        use_case_id=use_case.pk,
        changes={"stage": [from_stage, use_case.stage], "reason": reason, "stage_change": change.pk},
    )
    stage_changed_emit(use_case=use_case, change=change)
    hooks.announce(kind=hooks.ChangeKind.STAGE_CHANGED, use_case=use_case, actor=actor)
    return change


def use_case_promote(*, use_case: UseCase, actor: User, reason: str) -> StageChange:
    """Move up one stage. Only the sign-off services call this, inside the approving transaction."""
    use_case = use_case_lock(use_case=use_case)
    if not can_proceed(use_case.promote):
        raise ValidationError(use_case.promotion_refusal() or f"{use_case.get_stage_display()} cannot be promoted.")
    from_stage = use_case.stage
    use_case.promote()
    return stage_change_record(
        use_case=use_case,
        actor=actor,
        kind=StageChange.Kind.PROMOTION,
        from_stage=from_stage,
        reason=reason,
        verb=Verb.STAGE_PROMOTED,
    )


def _stage_change_lock(*, use_case: UseCase, actor: User, reason: str, step: str, step_done: str) -> UseCase:
    """Demotion and retirement start alike: close open requests, lock the use case, check who asks and why.

    Runs inside the caller's transaction.
    """
    # What hangs on the current stage (sign-off's open requests) closes first: a request is locked before its use case.
    hooks.stage_leaving(use_case=use_case, actor=actor, reason=reason.strip())
    use_case = use_case_lock(use_case=use_case)
    if step == "demote" and not use_case_may_demote(actor, use_case):
        raise PermissionDenied(
            "Only the use case's owners, an administrator or a lead of a review function may demote it."
        )
    if step != "demote" and not use_case_may_change(actor, use_case):
        raise PermissionDenied(f"Only the use case's owners or an administrator may {step} it.")
    if not reason.strip():
        raise ValidationError({"reason": f"Say why the use case is being {step_done}."})
    return use_case


def use_case_demote(*, use_case: UseCase, actor: User, to_stage: int, reason: str) -> StageChange:
    """Roll back to a lower stage (after an incident, or a failed revalidation), with a reason."""
    with transaction.atomic():
        use_case = _stage_change_lock(use_case=use_case, actor=actor, reason=reason, step="demote", step_done="demoted")
        if use_case.stage == Stage.RETIRED or not can_proceed(use_case.demote):
            raise ValidationError(f"A use case at {use_case.get_stage_display()} cannot be demoted.")
        if to_stage not in Stage.values or not (Stage.PROPOSED <= to_stage < use_case.stage):
            raise ValidationError({"to_stage": "Demotion must go to a lower stage than the current one."})
        from_stage = use_case.stage
        use_case.demote(to_stage)
        change = stage_change_record(
            use_case=use_case,
            actor=actor,
            kind=StageChange.Kind.DEMOTION,
            from_stage=from_stage,
            reason=reason.strip(),
            verb=Verb.STAGE_DEMOTED,
        )
    return change


def use_case_retire(*, use_case: UseCase, actor: User, reason: str) -> StageChange:
    """Switch the use case off for good; it stays in the registry for the record."""
    with transaction.atomic():
        use_case = _stage_change_lock(use_case=use_case, actor=actor, reason=reason, step="retire", step_done="retired")
        if not can_proceed(use_case.retire):
            raise ValidationError("This use case is already retired.")
        from_stage = use_case.stage
        use_case.retire()
        change = stage_change_record(
            use_case=use_case,
            actor=actor,
            kind=StageChange.Kind.RETIREMENT,
            from_stage=from_stage,
            reason=reason.strip(),
            verb=Verb.STAGE_RETIRED,
        )
    return change


def use_case_run_version_set(*, use_case: UseCase, version: ModelVersion, actor: User, reason: str) -> None:
    """Record that `version` is what runs now; the version it replaces becomes the rollback target.

    Only the sign-off services call this, inside the approving transaction (after use_case_promote, if any).
    """
    use_case = use_case_lock(use_case=use_case)
    if version.use_case_id != use_case.pk:
        raise ValidationError({"version": "That version belongs to another use case."})
    if use_case.current_version_id == version.pk:
        return
    before = {"current_version": use_case.current_version_id, "rollback_version": use_case.rollback_version_id}
    if use_case.current_version_id is not None:
        use_case.rollback_version_id = use_case.current_version_id
    use_case.current_version = version
    use_case.save(update_fields=["current_version", "rollback_version", "updated_at"])
    labels: dict[int | None, str] = dict(
        ModelVersion.objects.filter(pk__in=[v for v in before.values() if v]).values_list("pk", "label")
    )
    audit_record(
        actor=actor,
        verb=Verb.VERSION_APPROVED,
        obj=version,
        use_case_id=use_case.pk,
        changes={
            "current_version": [labels.get(before["current_version"]), version.label],
            "rollback_version": [
                labels.get(before["rollback_version"]),
                labels.get(use_case.rollback_version_id),
            ],
            "reason": reason,
        },
    )
