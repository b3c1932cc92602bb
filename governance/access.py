"""Who may act on running governance. Views, the API and services all ask here.

The second line (the review functions: risk, compliance, legal) governs a use case after approval; its
leads suspend and lift, grant exceptions and validate the closure of findings. Owners record and remediate.
Every `*_refusal` returns None when the user may act, or the Refusal that says why not (signoff/access.py).
"""

from __future__ import annotations

from accounts.models import User
from lifecycle.models import UseCase
from signoff.access import AUDITORS_CHANGE_NOTHING, Refusal, is_owner


def is_second_line_lead(user: User) -> bool:
    """A lead of any review function: the second line's decision makers."""
    if not user.is_authenticated or not user.is_active or user.is_auditor:
        return False
    return any(m.is_lead for m in user.memberships_by_function().values())


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


def _owner_or_second_line_refusal(user: User, use_case: UseCase, what: str) -> Refusal | None:
    if user.is_auditor:
        return Refusal(AUDITORS_CHANGE_NOTHING)
    if is_owner(user, use_case) or (user.is_active and bool(user.memberships_by_function())):
        return None
    return Refusal(f"Only the use case's owners or a member of a review function may {what}.")


def incident_record_refusal(user: User, use_case: UseCase) -> Refusal | None:
    """Whoever learns of an incident first records it: the owners, or anyone in the second line."""
    return _owner_or_second_line_refusal(user, use_case, "record an incident")


def incident_report_refusal(user: User, use_case: UseCase) -> Refusal | None:
    return _owner_or_second_line_refusal(user, use_case, "mark an incident reported to the authority")


def incident_link_refusal(user: User, use_case: UseCase) -> Refusal | None:
    """Suspending because of an incident, or linking its demotion, is the second line's leads' call."""
    return _second_line_lead_refusal(user, "link an incident to a suspension or a demotion")


def incident_close_refusal(user: User, use_case: UseCase) -> Refusal | None:
    """The second line closes an incident, once root cause and corrective actions are known."""
    return _second_line_lead_refusal(user, "close an incident")
