"""Writes of running governance. Each service runs in one transaction, checks access, and audits itself."""

from governance.services.findings import finding_raise
from governance.services.observations import ObservationSpec, ObservationsRecorded, observations_record
from governance.services.suspensions import suspension_active, use_case_suspend

__all__ = [
    "ObservationSpec",
    "ObservationsRecorded",
    "finding_raise",
    "observations_record",
    "suspension_active",
    "use_case_suspend",
]
