"""The gates: promotion (evaluate.py), running (run.py), the answer they give (result.py), the policy (policy.py).

evaluate.py answers "may this use case be approved at stage N?" (the checklist, submission, the packet);
run.py answers the pipeline's "may this version run at stage N?". Nothing else decides either.
"""

from signoff.gates import conditions as _conditions  # noqa: F401  (registers its run check)
from signoff.gates.checks import promotion_check, waiver_source
from signoff.gates.data import GateData, gate_data_for
from signoff.gates.evaluate import REGISTRY_FIELD_LABELS, gate_evaluate
from signoff.gates.policy import PolicySpec, policy_for_request
from signoff.gates.result import Category, GateResult, Mode, Requirement
from signoff.gates.run import RunAnswer, gate_run, run_annotation, run_check

__all__ = [
    "REGISTRY_FIELD_LABELS",
    "Category",
    "GateData",
    "GateResult",
    "Mode",
    "PolicySpec",
    "Requirement",
    "RunAnswer",
    "gate_data_for",
    "gate_evaluate",
    "gate_run",
    "policy_for_request",
    "promotion_check",
    "run_annotation",
    "run_check",
    "waiver_source",
]
