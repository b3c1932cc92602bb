"""What running governance shows on a use case's page (registered in registrations.py; lifecycle/panels.py)."""

from __future__ import annotations

from accounts.models import User
from governance.charts import use_case_charts
from lifecycle.models import UseCase
from lifecycle.panels import Panel


def monitoring_section(user: User, use_case: UseCase) -> Panel | None:
    """Each monitored metric over time against its threshold, once anything has been observed."""
    charts = use_case_charts(use_case)
    if not charts:
        return None
    return Panel("governance/_monitoring_section.html", {"charts": charts, "use_case": use_case})
