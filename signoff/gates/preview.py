"""What a gate policy not yet saved would change: the one evaluator run under today's policy and the proposed one.

Only use cases whose next gate this is are asked (those one stage below it); a request already submitted keeps
the policy it was submitted under, so the evaluator answers it alike both times. Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lifecycle.models import ArtifactKind, UseCase
from signoff.gates.data import gate_data_loaded
from signoff.gates.evaluate import REGISTRY_FIELD_LABELS, gate_evaluate
from signoff.gates.policy import PolicySpec
from signoff.gates.result import GateResult

KEY_WORDS = {
    "version.present": "a recorded version",
    "evaluation.thresholds": "evaluation metrics that meet their thresholds",
    "classification.present": "a risk classification",
    "classification.final": "a final risk classification",
    "owner.acceptance": "the business owner's acceptance",
}
UPLOADED = ("evidence.", "obligation.", "review.")


@dataclass(frozen=True)
class UseCaseChange:
    use_case: UseCase
    now_missing: list[str]
    no_longer_missing: list[str]
    ready_before: bool
    ready_after: bool


@dataclass(frozen=True)
class PolicyPreview:
    stage: int
    considered: int
    changes: list[UseCaseChange] = field(default_factory=list)

    @property
    def from_stage(self) -> int:
        return self.stage - 1

    @property
    def now_missing(self) -> list[tuple[str, int]]:
        """Each requirement the proposal adds, with how many use cases would miss it; most first."""
        return _counted(c.now_missing for c in self.changes)

    @property
    def no_longer_missing(self) -> list[tuple[str, int]]:
        return _counted(c.no_longer_missing for c in self.changes)

    @property
    def newly_ready(self) -> int:
        return sum(1 for c in self.changes if c.ready_after and not c.ready_before)

    @property
    def no_longer_ready(self) -> int:
        return sum(1 for c in self.changes if c.ready_before and not c.ready_after)


def _counted(groups) -> list[tuple[str, int]]:
    counts = Counter(words for group in groups for words in group)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def requirement_words(key: str, function_names: dict[str, str]) -> str:
    """A requirement's key as the words a compliance officer reads."""
    kind, _, subject = key.partition(".")
    if key.startswith(UPLOADED):
        label = ArtifactKind(subject).label if subject in ArtifactKind.values else subject
        return f"the {label}" if kind != "review" else f"the {label.lower()} (periodic review)"
    if kind == "registry":
        return f"the registry's {REGISTRY_FIELD_LABELS.get(subject, subject)}"
    if kind == "readiness":
        return "a yes to every production-readiness question"
    if kind == "signoff":
        return f"{function_names.get(subject, subject)}'s sign-off"
    return KEY_WORDS.get(key, key)


def _unmet(result: GateResult, names: dict[str, str]) -> set[str]:
    return {requirement_words(r.key, names) for r in result.unmet}


def policy_preview(*, proposed: PolicySpec, function_names: dict[str, str]) -> PolicyPreview:
    """How the gate to `proposed.target_stage` would answer each use case one stage below it, before and after."""
    stage = proposed.target_stage
    use_cases = list(UseCase.objects.filter(stage=stage - 1).select_related("technical_owner"))
    if not use_cases:
        return PolicyPreview(stage=stage, considered=0)
    today = gate_data_loaded(use_cases, target_stages=[stage])
    tomorrow = today.with_policy(proposed)
    changes = []
    for use_case in sorted(use_cases, key=lambda u: (u.title.lower(), u.pk)):
        before = gate_evaluate(use_case=use_case, target_stage=stage, data=today)
        after = gate_evaluate(use_case=use_case, target_stage=stage, data=tomorrow)
        missing_before, missing_after = _unmet(before, function_names), _unmet(after, function_names)
        if missing_before != missing_after:
            changes.append(
                UseCaseChange(
                    use_case=use_case,
                    now_missing=sorted(missing_after - missing_before),
                    no_longer_missing=sorted(missing_before - missing_after),
                    ready_before=before.ready_to_submit,
                    ready_after=after.ready_to_submit,
                )
            )
    return PolicyPreview(stage=stage, considered=len(use_cases), changes=changes)
