"""Who may act on running governance. Views, the API and services all ask here.

The second line (the review functions: risk, compliance, legal) governs a use case after approval; its
leads suspend and lift and grant exceptions; its members validate the closure of findings. Owners remediate.
Every `*_refusal` returns None when the user may act, or the Refusal that says why not (signoff/access.py).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from governance.models import Finding, RequirementException
from lifecycle.access import is_function_lead, use_cases_visible_to
from lifecycle.models import UseCase
from signoff.access import AUDITORS_CHANGE_NOTHING, Refusal, is_owner


def is_second_line_lead(user: User) -> bool:
    """A lead of any review function: the second line's decision makers."""
    return is_function_lead(user)


def _second_line_lead_refusal(user: User, what: str) -> Refusal | None:
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if not is_second_line_lead(user):
        return Refusal(f"Only a lead of a review function (risk, compliance, legal) may {what}.")
    return None


def suspend_refusal(user: User, use_case: UseCase) -> Refusal | None:
    return _second_line_lead_refusal(user, "suspend a use case")


def lift_refusal(user: User, use_case: UseCase) -> Refusal | None:
    return _second_line_lead_refusal(user, "lift a suspension")


def finding_raise_refusal(user: User, use_case: UseCase) -> Refusal | None:
    """Owners raise findings on their own use cases; any second-line member on any."""
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if is_owner(user, use_case) or (user.is_active and bool(user.memberships_by_function())):
        return None
    return Refusal("Only the use case's owners or a member of a review function may raise a finding.")


def is_second_line(user: User) -> bool:
    """A member of any review function, lead or not."""
    return user.is_authenticated and user.is_active and not user.is_auditor and bool(user.memberships_by_function())


def finding_remediate_refusal(user: User, finding: Finding) -> Refusal | None:
    """The finding's owner, or an owner of its use case, records what was done."""
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if user.pk == finding.owner_id or is_owner(user, finding.use_case):
        return None
    return Refusal("Only the finding's owner or the use case's owners record its remediation.")


def finding_validate_refusal(user: User, finding: Finding) -> Refusal | None:
    """The second line validates closure; never someone who owns the finding or the use case (segregation)."""
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if not is_second_line(user):
        return Refusal("Only a member of a review function (risk, compliance, legal) validates a finding's closure.")
    if user.pk == finding.owner_id or is_owner(user, finding.use_case):
        return Refusal("You own this finding or its use case: another member of the second line validates it.")
    return None


def get_finding_for_user(user: User, pk: int) -> Finding:
    """A finding is seen by whoever sees its use case; 404 otherwise, the same as for one that does not exist."""
    finding = (
        Finding.objects.filter(pk=pk, use_case__in=use_cases_visible_to(user))
        .select_related("use_case", "owner", "raised_by", "validated_by", "closure_evidence", "version")
        .first()
    )
    if finding is None:
        raise Http404("No such finding.")
    return finding


def findings_visible_to(user: User) -> QuerySet[Finding]:
    return Finding.objects.filter(use_case__in=use_cases_visible_to(user))


def exception_grant_refusal(user: User, use_case: UseCase) -> Refusal | None:
    return _second_line_lead_refusal(user, "grant an exception to a gate requirement")


def exception_withdraw_refusal(user: User, use_case: UseCase) -> Refusal | None:
    return _second_line_lead_refusal(user, "withdraw an exception")


def get_exception_for_user(user: User, pk: int) -> RequirementException:
    found = (
        RequirementException.objects.filter(pk=pk, use_case__in=use_cases_visible_to(user))
        .select_related("use_case", "granted_by", "withdrawn_by")
        .first()
    )
    if found is None:
        raise Http404("No such exception.")
    return found


def exceptions_visible_to(user: User) -> QuerySet[RequirementException]:
    return RequirementException.objects.filter(use_case__in=use_cases_visible_to(user))
