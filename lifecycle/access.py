"""Who may see and change use cases. Views, the API and services all ask here.

The registry is visible to everyone who holds a role: an inventory that only
its owners can see is no inventory. A signed-in account without a role sees
nothing, and gets 404 (not 403) so it cannot probe which slugs exist.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import FunctionMembership, User
from lifecycle.models import RiskAssessment, UseCase

CHANGE_USE_CASE = "lifecycle.change_usecase"


def sees_every_use_case(user: User) -> bool:
    """The registry is open to every role holder; lists of what hangs off it need no filter for them."""
    return user.is_authenticated and user.has_any_role


def use_cases_visible_to(user: User) -> QuerySet[UseCase]:
    if not sees_every_use_case(user):
        return UseCase.objects.none()
    return UseCase.objects.all()


def use_case_may_create(user: User) -> bool:
    """Anyone with a role may register a use case, except auditors, who change nothing."""
    return user.is_authenticated and user.has_any_role and not user.is_auditor


def use_case_may_change(user: User, use_case: UseCase) -> bool:
    """Owners (object permission granted by the services) and administrators; never auditors."""
    if not user.is_authenticated or not user.is_active or user.is_auditor:
        return False
    if user.is_portal_admin:
        return True
    return user.has_perm(CHANGE_USE_CASE, use_case)


def is_function_lead(user: User) -> bool:
    """A lead of a review function (risk, compliance, legal): the second line's decision makers."""
    if not user.is_authenticated or not user.is_active or user.is_auditor:
        return False
    return any(m.is_lead for m in user.memberships_by_function().values())


def use_case_may_demote(user: User, use_case: UseCase) -> bool:
    """Owners and administrators, and the second line's leads: a rollback after an incident is often theirs to order."""
    return use_case_may_change(user, use_case) or is_function_lead(user)


def use_case_may_request_promotion(user: User, use_case: UseCase) -> bool:
    """Only the use case's owners ask to promote it: an administrator edits the registry but does not sponsor it."""
    return user.is_authenticated and user.is_active and not user.is_auditor and user.pk in use_case.owner_ids


def get_use_case_for_user(user: User, slug: str, *, for_change: bool = False, for_demotion: bool = False) -> UseCase:
    use_case = use_cases_visible_to(user).filter(slug=slug).select_related("technical_owner", "business_owner").first()
    if use_case is None:
        raise Http404("No such use case.")
    if for_demotion and not use_case_may_demote(user, use_case):
        raise PermissionDenied(
            "Only the use case's owners, an administrator or a lead of a review function may demote it."
            if not user.is_auditor
            else "Auditors read; they change nothing."
        )
    if for_change and not use_case_may_change(user, use_case):
        raise PermissionDenied(
            "Only the use case's owners may change it."
            if not user.is_auditor
            else "Auditors read; they change nothing."
        )
    return use_case


# Model risk management answers for classification (SR 11-7 practice): its function approves a lowered tier.
CLASSIFICATION_FUNCTION_KEY = "risk"


def classification_change_decide_refusal(user: User, assessment: RiskAssessment) -> str | None:
    """Whether `user` may approve or reject a change that lowers a use case's tier; None when they may."""
    if not user.is_authenticated or not user.is_active:
        return "Sign in to decide a change of classification."
    if user.is_auditor:
        return "Auditors read; they change nothing."
    if not FunctionMembership.objects.filter(user=user, function__key=CLASSIFICATION_FUNCTION_KEY).exists():
        return "Only a member of the risk function may approve or reject a change of classification."
    if user.pk in assessment.use_case.owner_ids or user.pk == assessment.assessed_by_id:
        return "You own this use case or made this assessment; another member of the risk function decides."
    return None


def risk_function_people() -> QuerySet[User]:
    return User.objects.filter(memberships__function__key=CLASSIFICATION_FUNCTION_KEY, is_active=True).distinct()
