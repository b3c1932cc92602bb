"""The one gate evaluator (evaluate.py), the answer it gives (result.py) and the policy it applies (policy.py)."""

from signoff.gates.evaluate import REGISTRY_FIELD_LABELS, gate_evaluate
from signoff.gates.policy import PolicySpec, policy_for_request
from signoff.gates.result import Category, GateResult, Mode, Requirement

__all__ = [
    "REGISTRY_FIELD_LABELS",
    "Category",
    "GateResult",
    "Mode",
    "PolicySpec",
    "Requirement",
    "gate_evaluate",
    "policy_for_request",
]
