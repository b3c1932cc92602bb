"""Exceptions: a second-line lead waives one gate requirement of one use case, with compensating controls, until a date.

While it stands, both gates show the requirement met, marked "waived until …" (checks.py, waiver_source);
the day after it expires the requirement is required again. The owners are reminded before it lapses.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from governance.access import exception_grant_refusal, exception_withdraw_refusal
from governance.models import RequirementException
from lifecycle.models import ArtifactKind, ReadinessQuestion, Stage, UseCase
from lifecycle.services.base import use_case_lock
from notifications.services import Kind, notify
from signoff.gates import REGISTRY_FIELD_LABELS, Category, gate_evaluate

# An exception is a bridge to remediation, not a second policy: a year at most, then granted afresh.
MAX_EXCEPTION_DAYS = 366
# Never waivable: what a stage is, what the law forbids, and who signs or stops it.
NEVER_WAIVED = {"stage.next", "stage.current", "classification.not_prohibited", "governance.not_suspended"}
# Asked by the run gate only, so not among the promotion gate's requirements.
RUN_KEYS = {"revalidation.current": "The yearly revalidation is current."}


def exceptions_standing(use_case: UseCase, today: date | None = None) -> QuerySet[RequirementException]:
    """The exceptions in force today: not withdrawn, and not past their last day."""
    today = today or timezone.localdate()
    return RequirementException.objects.filter(use_case=use_case, withdrawn_at__isnull=True, expires_on__gte=today)


def waivable_requirements(use_case: UseCase) -> dict[str, str]:
    """What a lead may waive here, by key, in the gate's words: what the next stage and the current one ask."""
    stages = {s for s in (use_case.stage, use_case.next_stage) if s is not None and s in Stage.values and s > 0}
    found: dict[str, str] = {}
    for stage in sorted(stages):
        for requirement in gate_evaluate(use_case=use_case, target_stage=stage).requirements:
            if requirement.category == Category.EVIDENCE and requirement.key not in NEVER_WAIVED:
                found.setdefault(requirement.key, requirement.detail)
    if use_case.stage in (Stage.GUARDED, Stage.SCALE):
        found.update(RUN_KEYS)
    return found


def exception_grant(
    *,
    use_case: UseCase,
    actor: User,
    requirement_key: str,
    reason: str,
    compensating_controls: str,
    expires_on: date,
) -> RequirementException:
    if (refusal := exception_grant_refusal(actor, use_case)) is not None:
        refusal.raise_it(on=use_case)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if requirement_key not in waivable_requirements(use_case):
        errors["requirement_key"] = "That is not a requirement this use case's gates ask for, or it cannot be waived."
    if not reason.strip():
        errors["reason"] = "Say why the requirement is waived."
    if not compensating_controls.strip():
        errors["compensating_controls"] = "Say what stands in for the requirement while it is waived."
    if expires_on <= today:
        errors["expires_on"] = "An exception expires after today."
    elif expires_on > today + timedelta(days=MAX_EXCEPTION_DAYS):
        errors["expires_on"] = "An exception lasts a year at most; grant a new one when it expires."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        if exceptions_standing(use_case, today).filter(requirement_key=requirement_key).exists():
            raise ValidationError({"requirement_key": "An exception to this requirement already stands."})
        granted = RequirementException.objects.create(
            use_case=use_case,
            requirement_key=requirement_key,
            reason=reason.strip(),
            compensating_controls=compensating_controls.strip(),
            expires_on=expires_on,
            granted_by=actor,
        )
        audit_record(
            actor=actor,
            verb=Verb.EXCEPTION_GRANTED,
            obj=granted,
            use_case_id=use_case.pk,
            changes={
                "requirement_key": requirement_key,
                "reason": granted.reason,
                "compensating_controls": granted.compensating_controls,
                "expires_on": expires_on.isoformat(),
            },
        )
        notify(
            users=_owners(use_case),
            kind=Kind.DECIDED,
            title=f"Exception granted on {use_case.title} until {expires_on:%d %b %Y}",
            body=f"{requirement_words(requirement_key)}: {granted.reason}\n\n"
            f"Compensating controls: {granted.compensating_controls}",
            url=use_case.get_absolute_url(),
        )
    return granted


def exception_withdraw(*, exception: RequirementException, actor: User, reason: str) -> RequirementException:
    """End an exception before its expiry: the requirement is required again at once."""
    use_case = exception.use_case
    if (refusal := exception_withdraw_refusal(actor, use_case)) is not None:
        refusal.raise_it(on=use_case)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the exception is withdrawn."})
    with transaction.atomic():
        use_case = use_case_lock(use_case=use_case)
        exception = RequirementException.objects.select_for_update().get(pk=exception.pk)
        if exception.withdrawn_at is not None or exception.expires_on < timezone.localdate():
            raise ValidationError("This exception no longer stands.")
        exception.withdrawn_by = actor
        exception.withdrawn_at = timezone.now()
        exception.save(update_fields=["withdrawn_by", "withdrawn_at"])
        audit_record(
            actor=actor,
            verb=Verb.EXCEPTION_WITHDRAWN,
            obj=exception,
            use_case_id=use_case.pk,
            changes={"requirement_key": exception.requirement_key, "reason": reason.strip()},
        )
        notify(
            users=_owners(use_case),
            kind=Kind.DECIDED,
            title=f"Exception withdrawn on {use_case.title}: "
            f"{requirement_words(exception.requirement_key)} is required again",
            body=reason.strip(),
            url=use_case.get_absolute_url(),
        )
    return exception


def _owners(use_case: UseCase) -> list[User]:
    return [u for u in (use_case.technical_owner, use_case.business_owner) if u is not None]


REQUIREMENT_WORDS = {
    "classification.present": "A risk classification",
    "classification.final": "A final risk classification",
    "version.present": "A recorded version",
    "evaluation.thresholds": "Evaluation metrics that meet their thresholds",
    "revalidation.current": "A current yearly revalidation",
}


def requirement_words(key: str) -> str:
    """A requirement in plain words, for pages and messages: the gate's keys stay in the API."""
    group, _, name = key.partition(".")
    if key in REQUIREMENT_WORDS:
        return REQUIREMENT_WORDS[key]
    if group == "evidence" and name in ArtifactKind.values:
        return str(ArtifactKind(name).label)
    if group == "registry" and name in REGISTRY_FIELD_LABELS:
        return f"Registry {REGISTRY_FIELD_LABELS[name]}"
    if group == "readiness" and name in ReadinessQuestion.values:
        return f"Readiness: {ReadinessQuestion(name).label}"
    return key
