"""What the registry's services share: the use case's row lock and the flags that drive policy."""

from __future__ import annotations

from lifecycle.models import (
    UseCase,
)
from lifecycle.questionnaire import UseCaseFlags


def use_case_lock(*, use_case: UseCase) -> UseCase:
    """Re-read the use case with a row lock; every stage change goes through here first."""
    return UseCase.objects.select_for_update().get(pk=use_case.pk)


FLAG_FIELDS = ("processes_personal_data", "customer_facing", "regulated_decision")


def flags_of(use_case: UseCase) -> UseCaseFlags:
    return UseCaseFlags(**{name: getattr(use_case, name) for name in FLAG_FIELDS})
