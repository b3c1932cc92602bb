"""Gate policy as plain data, so a request keeps the policy it was submitted under."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from lifecycle.models import (
    Tier,
    UseCase,
)
from signoff.models import (
    GatePolicy,
    ReadinessRequest,
    SignoffRule,
)


@dataclass(frozen=True)
class PolicySpec:
    """A gate policy as plain data, so a request can keep the one it was submitted under."""

    target_stage: int
    registry_fields: list[str]
    required_artifact_kinds: list[str]
    requires_version: bool
    requires_metrics_passing: bool
    requires_assessment: bool
    requires_final_assessment: bool
    requires_readiness_check: bool
    requires_owner_acceptance: bool
    evaluation_fresh_since_stage_entry: bool
    sla_business_days: int
    signoff_rules: list[tuple[str, str]]
    # Policies snapshotted before periodic reviews had evidence of their own name none.
    review_artifact_kinds: list[str] = field(default_factory=list)

    @classmethod
    def from_policy(cls, policy: GatePolicy) -> PolicySpec:
        return cls(
            target_stage=policy.target_stage,
            registry_fields=list(policy.registry_fields),
            required_artifact_kinds=list(policy.required_artifact_kinds),
            requires_version=policy.requires_version,
            requires_metrics_passing=policy.requires_metrics_passing,
            requires_assessment=policy.requires_assessment,
            requires_final_assessment=policy.requires_final_assessment,
            requires_readiness_check=policy.requires_readiness_check,
            requires_owner_acceptance=policy.requires_owner_acceptance,
            evaluation_fresh_since_stage_entry=policy.evaluation_fresh_since_stage_entry,
            sla_business_days=policy.sla_business_days,
            signoff_rules=sorted((r.function.key, r.when) for r in policy.signoff_rules.all()),
            review_artifact_kinds=list(policy.review_artifact_kinds),
        )

    @classmethod
    def from_snapshot(cls, data: dict) -> PolicySpec:
        return cls(**{**data, "signoff_rules": [tuple(r) for r in data["signoff_rules"]]})

    @classmethod
    def for_stage(cls, target_stage: int) -> PolicySpec | None:
        policy = (
            GatePolicy.objects.filter(target_stage=target_stage).prefetch_related("signoff_rules__function").first()
        )
        return cls.from_policy(policy) if policy else None

    def as_snapshot(self) -> dict:
        return {**asdict(self), "signoff_rules": [list(r) for r in self.signoff_rules]}

    def required_functions(self, use_case: UseCase) -> list[str]:
        """The function keys that must sign, in a stable order."""
        holds: dict[str, bool] = {
            SignoffRule.When.ALWAYS: True,
            SignoffRule.When.PERSONAL_DATA: use_case.processes_personal_data,
            SignoffRule.When.TIER_HIGH: use_case.risk_tier == Tier.HIGH,
            SignoffRule.When.TIER_LIMITED: use_case.risk_tier == Tier.LIMITED,
            SignoffRule.When.CUSTOMER_FACING: use_case.customer_facing,
            SignoffRule.When.REGULATED_DECISION: use_case.regulated_decision,
        }
        return sorted({function for function, when in self.signoff_rules if holds.get(when, False)})


def policy_for_request(request: ReadinessRequest) -> PolicySpec | None:
    if request.policy_snapshot:
        return PolicySpec.from_snapshot(request.policy_snapshot)
    return PolicySpec.for_stage(request.target_stage)
