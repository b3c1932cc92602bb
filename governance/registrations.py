"""What governance adds to sign-off's gates and reminder sweep (signoff/gates/checks.py, signoff/reminders/items.py).

Each registration is one function, defined where its subject lives; this module only plugs them in, once,
when the app is ready.
"""

from governance.checks import active_suspension_subquery, suspension_check
from governance.monitoring_panels import monitoring_section
from lifecycle.panels import use_case_section
from signoff.gates import run_annotation, run_check

run_annotation("suspended_at", lambda: active_suspension_subquery("suspended_at"))
run_annotation("suspension_reason", lambda: active_suspension_subquery("reason"))
run_check(suspension_check)

use_case_section(monitoring_section)
