"""The evidence the next stage's gate still misses, for the registry's upload form (lifecycle/panels.py)."""

from __future__ import annotations

from lifecycle.models import ArtifactKind, UseCase
from signoff.gates.evaluate import gate_evaluate

# Requirements met by uploading a file of the kind after the dot.
UPLOAD_MEETS = ("evidence.", "obligation.", "review.")


def evidence_needs(use_case: UseCase) -> dict[str, int]:
    """Each artifact kind the gate of the next stage finds missing or stale, with that stage, in gate order."""
    target = use_case.next_stage
    if target is None:
        return {}
    result = gate_evaluate(use_case=use_case, target_stage=target)
    kinds = (r.key.split(".", 1)[1] for r in result.unmet if r.key.startswith(UPLOAD_MEETS))
    return {kind: target for kind in kinds if kind in ArtifactKind.values}
