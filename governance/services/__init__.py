"""Writes of running governance. Each service runs in one transaction, checks access, and audits itself."""

from governance.services.findings import finding_raise, finding_remediate, finding_reopen, finding_validate
from governance.services.incidents import (
    incident_blocking_set,
    incident_close,
    incident_link_demotion,
    incident_mark_reported,
    incident_record,
    incident_suspend,
)
from governance.services.observations import ObservationSpec, ObservationsRecorded, observations_record
from governance.services.suspensions import suspension_active, suspension_lift, use_case_suspend

__all__ = [
    "ObservationSpec",
    "ObservationsRecorded",
    "finding_raise",
    "finding_remediate",
    "finding_reopen",
    "finding_validate",
    "incident_blocking_set",
    "incident_close",
    "incident_link_demotion",
    "incident_mark_reported",
    "incident_record",
    "incident_suspend",
    "observations_record",
    "suspension_active",
    "suspension_lift",
    "use_case_suspend",
]
