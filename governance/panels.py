"""What running governance shows on a use case's page (registered in registrations.py; lifecycle/panels.py)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from governance.access import (
    exception_grant_refusal,
    exception_withdraw_refusal,
    finding_raise_refusal,
    lift_refusal,
    suspend_refusal,
)
from governance.models import Finding, RequirementException, Suspension
from governance.services.exceptions import requirement_words
from lifecycle.models import Stage, UseCase
from lifecycle.panels import Panel


def suspension_banner(user: User, use_case: UseCase) -> Panel | None:
    """A standing suspension, said first on the page, with the lift for those who may."""
    active = Suspension.objects.filter(use_case=use_case, lifted_at__isnull=True).select_related("suspended_by").first()
    if active is None:
        return None
    return Panel(
        "governance/_suspension_banner.html",
        {"suspension": active, "use_case": use_case, "may_lift": lift_refusal(user, use_case) is None},
    )


def suspension_section(user: User, use_case: UseCase) -> Panel | None:
    """Earlier suspensions, and the button to suspend for a lead of the second line."""
    history = list(
        Suspension.objects.filter(use_case=use_case, lifted_at__isnull=False).select_related(
            "suspended_by", "lifted_by"
        )
    )
    suspended = Suspension.objects.filter(use_case=use_case, lifted_at__isnull=True).exists()
    may_suspend = not suspended and use_case.stage != Stage.RETIRED and suspend_refusal(user, use_case) is None
    if not history and not may_suspend:
        return None
    return Panel(
        "governance/_suspension_section.html",
        {"history": history, "use_case": use_case, "may_suspend": may_suspend},
    )


def findings_section(user: User, use_case: UseCase) -> Panel | None:
    """The findings not yet closed, and how many were; the button to raise one for those who may."""
    findings = list(
        Finding.objects.filter(use_case=use_case)
        .exclude(state=Finding.State.CLOSED)
        .select_related("use_case", "owner")
        .order_by("due_date", "id")
    )
    closed = Finding.objects.filter(use_case=use_case, state=Finding.State.CLOSED).count()
    may_raise = use_case.stage != Stage.RETIRED and finding_raise_refusal(user, use_case) is None
    if not findings and not closed and not may_raise:
        return None
    return Panel(
        "governance/_findings_section.html",
        {"findings": findings, "closed": closed, "use_case": use_case, "may_raise": may_raise},
    )


def exceptions_section(user: User, use_case: UseCase) -> Panel | None:
    """Every exception of the use case, standing first, with grant and withdraw for a second-line lead."""
    today = timezone.localdate()
    exceptions = RequirementException.objects.filter(use_case=use_case).select_related("granted_by", "withdrawn_by")
    rows = [
        {
            "exception": e,
            "words": requirement_words(e.requirement_key),
            "standing": e.withdrawn_at is None and e.expires_on >= today,
        }
        for e in exceptions
    ]
    rows.sort(key=lambda row: not row["standing"])
    may_grant = use_case.stage != Stage.RETIRED and exception_grant_refusal(user, use_case) is None
    if not rows and not may_grant:
        return None
    return Panel(
        "governance/_exceptions_section.html",
        {
            "rows": rows,
            "use_case": use_case,
            "may_grant": may_grant,
            "may_withdraw": exception_withdraw_refusal(user, use_case) is None,
        },
    )
