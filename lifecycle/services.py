"""Writes to the registry. Each service runs in one transaction and audits itself."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm import can_proceed
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from lifecycle.access import CHANGE_USE_CASE, use_case_may_change
from lifecycle.models import Stage, StageChange, UseCase
from portal.audit import Verb, audit_record
from portal.models import User


def use_case_lock(*, use_case: UseCase) -> UseCase:
    """Re-read the use case with a row lock; every stage change goes through here first."""
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


def use_case_owners_sync(*, use_case: UseCase, actor: User | None) -> None:
    """Owners hold the object permission to change the use case; nobody else does."""
    owners = set(User.objects.filter(pk__in=use_case.owner_ids))
    holders = set(get_users_with_perms(use_case, only_with_perms_in=["change_usecase"], with_superusers=False))
    for user in owners - holders:
        assign_perm(CHANGE_USE_CASE, user, use_case)
        audit_record(
            actor=actor,
            verb=Verb.PERMISSION_GRANTED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"user": user.username, "permission": "change_usecase"},
        )
    for user in holders - owners:
        remove_perm(CHANGE_USE_CASE, user, use_case)
        audit_record(
            actor=actor,
            verb=Verb.PERMISSION_REVOKED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"user": user.username, "permission": "change_usecase"},
        )


def _stage_change(
    *, use_case: UseCase, actor: User, kind: str, from_stage: int, reason: str, verb: Verb
) -> StageChange:
    use_case.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    change = StageChange.objects.create(
        use_case=use_case, kind=kind, from_stage=from_stage, to_stage=use_case.stage, reason=reason, actor=actor
    )
    audit_record(
        actor=actor,
        verb=verb,
        obj=use_case,
        use_case_id=use_case.pk,
        changes={"stage": [from_stage, use_case.stage], "reason": reason, "stage_change": change.pk},
    )
    return change


def use_case_promote(*, use_case: UseCase, actor: User, reason: str) -> StageChange:
    """Move up one stage. Only the sign-off services call this, inside the approving transaction."""
    use_case = use_case_lock(use_case=use_case)
    if use_case.is_prohibited:
        raise ValidationError("A use case classified as prohibited can never leave stage 0.")
    if not can_proceed(use_case.promote):
        raise ValidationError(f"A use case at {use_case.get_stage_display()} cannot be promoted.")
    from_stage = use_case.stage
    use_case.promote()
    return _stage_change(
        use_case=use_case,
        actor=actor,
        kind=StageChange.Kind.PROMOTION,
        from_stage=from_stage,
        reason=reason,
        verb=Verb.STAGE_PROMOTED,
    )


def use_case_demote(*, use_case: UseCase, actor: User, to_stage: int, reason: str) -> StageChange:
    """Roll back to a lower stage (after an incident, or a failed revalidation), with a reason."""
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may demote it.")
        if not reason.strip():
            raise ValidationError({"reason": "Say why the use case is being demoted."})
        if use_case.stage == Stage.RETIRED or not can_proceed(use_case.demote):
            raise ValidationError(f"A use case at {use_case.get_stage_display()} cannot be demoted.")
        if to_stage not in Stage.values or not (Stage.PROPOSED <= to_stage < use_case.stage):
            raise ValidationError({"to_stage": "Demotion must go to a lower stage than the current one."})
        from_stage = use_case.stage
        use_case.demote(to_stage)
        change = _stage_change(
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
        use_case = use_case_lock(use_case=use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied("Only the use case's owners or an administrator may retire it.")
        if not reason.strip():
            raise ValidationError({"reason": "Say why the use case is being retired."})
        if not can_proceed(use_case.retire):
            raise ValidationError("This use case is already retired.")
        from_stage = use_case.stage
        use_case.retire()
        change = _stage_change(
            use_case=use_case,
            actor=actor,
            kind=StageChange.Kind.RETIREMENT,
            from_stage=from_stage,
            reason=reason.strip(),
            verb=Verb.STAGE_RETIRED,
        )
    return change
