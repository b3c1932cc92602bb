"""Writes of running governance. Each service runs in one transaction, checks access, and audits itself."""

from governance.services.findings import finding_raise, finding_remediate, finding_reopen, finding_validate
from governance.services.suspensions import suspension_active, suspension_lift, use_case_suspend

__all__ = [
    "finding_raise",
    "finding_remediate",
    "finding_reopen",
    "finding_validate",
    "suspension_active",
    "suspension_lift",
    "use_case_suspend",
]
