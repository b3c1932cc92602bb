"""What governance adds to sign-off's gates and reminder sweep (signoff/gates/checks.py, signoff/reminders/items.py).

Each registration is one function, defined where its subject lives; this module only plugs them in, once,
when the app is ready.
"""

from governance.checks import (
    active_suspension_subquery,
    blocking_incident_check,
    blocking_incident_subquery,
    exception_waivers,
    exception_waivers_many,
    open_findings_check,
    open_findings_many,
    suspension_check,
)
from governance.incident_panels import incidents_section
from governance.incident_reminders import INCIDENT_REPORTS
from governance.monitoring_panels import monitoring_section
from governance.packet import governance_packet_section
from governance.panels import exceptions_section, findings_section, suspension_banner, suspension_section
from governance.reminders import EXCEPTION_REMINDERS, FINDING_REMINDERS
from lifecycle.panels import use_case_banner, use_case_section
from signoff.gates import promotion_check, run_annotation, run_check, waiver_source
from signoff.packets.sections import packet_section
from signoff.reminders.items import reminder_item_register

run_annotation("suspended_at", lambda: active_suspension_subquery("suspended_at"))
run_annotation("suspension_reason", lambda: active_suspension_subquery("reason"))
run_check(suspension_check)
run_annotation("blocking_incident_since", lambda: blocking_incident_subquery("aware_at"))
run_annotation("blocking_incident_title", lambda: blocking_incident_subquery("title"))
run_check(blocking_incident_check)
reminder_item_register(INCIDENT_REPORTS)

use_case_banner(suspension_banner)
use_case_section(suspension_section)
use_case_section(findings_section)
use_case_section(exceptions_section)

promotion_check(open_findings_check, many=open_findings_many)
reminder_item_register(FINDING_REMINDERS)
waiver_source(exception_waivers, many=exception_waivers_many)
reminder_item_register(EXCEPTION_REMINDERS)
packet_section(governance_packet_section)

use_case_section(monitoring_section)
use_case_section(incidents_section)
