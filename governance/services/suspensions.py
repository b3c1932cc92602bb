"""Suspension: the second line stops a use case at once; the run gate denies while it stands."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from governance.access import lift_refusal, suspend_refusal
from governance.models import Suspension
from lifecycle.models import UseCase
from lifecycle.services.base import use_case_lock
from notifications.services import Kind, notify


def suspension_active(use_case: UseCase) -> Suspension | None:
    return Suspension.objects.filter(use_case=use_case, lifted_at__isnull=True).first()


def use_case_suspend(
    *, use_case: UseCase, actor: User | None, reason: str, cause: str = "", by_policy: bool = False
) -> Suspension:
    """Suspend the use case (refused if already suspended); the owners are told.

    `by_policy` is for the portal itself (a critical monitoring breach): the actor then is whoever pushed the
    observation, and the second-line check does not apply, since the policy decided, not the person.
    """
    reason = reason.strip()
    if not by_policy:
        if actor is None:
            raise ValueError("A suspension by hand needs the person suspending.")
        if (refusal := suspend_refusal(actor, use_case)) is not None:
            refusal.raise_it(on=use_case)
    if not reason:
        raise ValidationError({"reason": "Say why the use case is suspended."})
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if suspension_active(use_case) is not None:
            raise ValidationError("This use case is already suspended.")
        suspension = Suspension.objects.create(
            use_case=use_case, reason=reason, cause=cause, suspended_by=None if by_policy else actor
        )
        audit_record(
            actor=actor,
            actor_label="" if actor is not None else "stagegate",
            verb=Verb.USE_CASE_SUSPENDED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"suspension": suspension.pk, "reason": reason, "cause": cause, "by_policy": by_policy},
        )
        notify(
            users=[u for u in (use_case.technical_owner, use_case.business_owner) if u is not None],
            kind=Kind.SUSPENDED,
            title=f"{use_case.title} is suspended",
            body=reason,
            url=use_case.get_absolute_url(),
        )
    return suspension


def suspension_lift(*, use_case: UseCase, actor: User, reason: str) -> Suspension:
    """Lift the standing suspension (only the second line's leads); the owners are told the use case may run again."""
    if (refusal := lift_refusal(actor, use_case)) is not None:
        refusal.raise_it(on=use_case)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the suspension is lifted."})
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        suspension = Suspension.objects.select_for_update().filter(use_case=use_case, lifted_at__isnull=True).first()
        if suspension is None:
            raise ValidationError("This use case is not suspended.")
        suspension.lifted_by = actor
        suspension.lifted_at = timezone.now()
        suspension.lift_reason = reason
        suspension.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        audit_record(
            actor=actor,
            verb=Verb.SUSPENSION_LIFTED,
            obj=use_case,
            use_case_id=use_case.pk,
            changes={"suspension": suspension.pk, "reason": reason},
        )
        notify(
            users=[u for u in (use_case.technical_owner, use_case.business_owner) if u is not None],
            kind=Kind.LIFTED,
            title=f"{use_case.title} may run again: its suspension is lifted",
            body=reason,
            url=use_case.get_absolute_url(),
        )
    return suspension
