"""The incidents of a use case on its page (registered in registrations.py; lifecycle/panels.py)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from governance.access import incident_record_refusal
from governance.models import Incident
from lifecycle.models import Stage, UseCase
from lifecycle.panels import Panel


def incidents_section(user: User, use_case: UseCase) -> Panel | None:
    """Open incidents with their Art. 73 clocks, the count of closed ones, and the way to record one."""
    incidents = list(Incident.objects.filter(use_case=use_case).order_by("-aware_at", "-id"))
    may_record = use_case.stage != Stage.RETIRED and incident_record_refusal(user, use_case) is None
    if not incidents and not may_record:
        return None
    return Panel(
        "governance/_incidents_section.html",
        {
            "use_case": use_case,
            "open": [i for i in incidents if i.is_open],
            "closed": [i for i in incidents if not i.is_open],
            "may_record": may_record,
            "today": timezone.localdate(),
        },
    )
