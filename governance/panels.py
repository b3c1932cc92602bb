"""What running governance shows on a use case's page (registered in registrations.py; lifecycle/panels.py)."""

from __future__ import annotations

from accounts.models import User
from governance.access import lift_refusal, suspend_refusal
from governance.models import Suspension
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
