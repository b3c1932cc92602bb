"""Changing a stage's gate policy from the portal: compliance leads and administrators, audited before → after."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import ReviewFunction, User
from audit.refusals import Refused
from audit.services import Verb, audit_record
from signoff import access
from signoff.gates import PolicySpec
from signoff.models import GatePolicy, SignoffRule

MAX_SLA_DAYS = 60
# The policy's own fields the page edits; the sign-off rules are rows of their own.
EDITED = (
    "required_artifact_kinds",
    "registry_fields",
    "requires_version",
    "requires_metrics_passing",
    "requires_assessment",
    "requires_final_assessment",
    "requires_readiness_check",
    "requires_owner_acceptance",
    "evaluation_fresh_since_stage_entry",
    "sla_business_days",
)


@dataclass(frozen=True)
class PolicyInput:
    """Everything the policy page edits. Sign-off rules are (function key, when) pairs."""

    required_artifact_kinds: list[str]
    registry_fields: list[str]
    requires_version: bool
    requires_metrics_passing: bool
    requires_assessment: bool
    requires_final_assessment: bool
    requires_readiness_check: bool
    requires_owner_acceptance: bool
    evaluation_fresh_since_stage_entry: bool
    sla_business_days: int
    signoff_rules: list[tuple[str, str]] = field(default_factory=list)

    def as_spec(self, policy: GatePolicy) -> PolicySpec:
        """`policy` as it would stand with this edit saved: what the policy page's preview evaluates."""
        edited = {name: getattr(self, name) for name in EDITED}
        for listed in ("required_artifact_kinds", "registry_fields", "signoff_rules"):
            edited[listed] = sorted(set(getattr(self, listed)))
        return replace(PolicySpec.from_policy(policy), **edited)


def gate_policy_state(policy: GatePolicy) -> dict:
    fresh = GatePolicy.objects.prefetch_related("signoff_rules__function").get(pk=policy.pk)
    return PolicySpec.from_policy(fresh).as_snapshot()


def _functions(rules: list[tuple[str, str]]) -> dict[str, ReviewFunction]:
    keys = sorted({key for key, _ in rules})
    functions = {f.key: f for f in ReviewFunction.objects.filter(key__in=keys)}
    errors = []
    if unknown := [k for k in keys if k not in functions]:
        errors.append(f"Unknown review function: {', '.join(unknown)}.")
    if bad := sorted({when for _, when in rules if when not in SignoffRule.When.values}):
        errors.append(f"Unknown sign-off condition: {', '.join(bad)}.")
    if errors:
        raise ValidationError({"signoff_rules": errors})
    return functions


def gate_policy_update(*, policy: GatePolicy, actor: User, edit: PolicyInput) -> GatePolicy:
    """Replace one stage's policy with `edit`. Requests already submitted keep the policy they were sent under."""
    with transaction.atomic():
        locked = GatePolicy.objects.select_for_update().get(pk=policy.pk)
        if (refusal := access.policy_edit_refusal(actor)) is not None:
            raise Refused(refusal.reason, obj=locked)
        if not 1 <= edit.sla_business_days <= MAX_SLA_DAYS:
            raise ValidationError({"sla_business_days": f"Give between 1 and {MAX_SLA_DAYS} business days."})
        functions = _functions(edit.signoff_rules)
        before = gate_policy_state(locked)
        for name in EDITED:
            setattr(locked, name, getattr(edit, name))
        locked.required_artifact_kinds = sorted(set(edit.required_artifact_kinds))
        locked.registry_fields = sorted(set(edit.registry_fields))
        locked.clean()
        locked.save()
        wanted = {(key, when) for key, when in edit.signoff_rules}
        kept = set()
        for rule in SignoffRule.objects.filter(policy=locked).select_related("function"):
            if (rule.function.key, rule.when) in wanted:
                kept.add((rule.function.key, rule.when))
            else:
                rule.delete()
        SignoffRule.objects.bulk_create(
            SignoffRule(policy=locked, function=functions[key], when=when) for key, when in sorted(wanted - kept)
        )
        after = gate_policy_state(locked)
        if before != after:
            audit_record(actor=actor, verb=Verb.POLICY_CHANGED, obj=locked, changes={"before": before, "after": after})
    return locked
