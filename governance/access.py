"""Who may act on running governance. Views, the API and services all ask here.

The second line (the review functions: risk, compliance, legal) governs a use case after approval; its
leads suspend and lift, grant exceptions and validate the closure of findings. Owners record and remediate.
Every `*_refusal` returns None when the user may act, or the Refusal that says why not (signoff/access.py).
"""

from __future__ import annotations

from accounts.models import User
from lifecycle.access import is_function_lead
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
