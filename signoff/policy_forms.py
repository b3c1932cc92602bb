"""The gate policy page's form: checkboxes of what exists, never free text a gate could never satisfy."""

from __future__ import annotations

from django import forms

from accounts.models import ReviewFunction
from lifecycle.models import ArtifactKind
from signoff.models import REGISTRY_FIELD_CHOICES, GatePolicy, SignoffRule
from signoff.services import PolicyInput
from signoff.services.policy import MAX_SLA_DAYS

# The conditions under which a function signs, as a sentence ends: "Compliance signs when …".
WHEN_WORDS: dict[str, str] = {
    SignoffRule.When.ALWAYS: "always",
    SignoffRule.When.PERSONAL_DATA: "personal data is processed",
    SignoffRule.When.TIER_HIGH: "the tier is high-risk",
    SignoffRule.When.TIER_LIMITED: "the tier is limited (transparency duties)",
    SignoffRule.When.CUSTOMER_FACING: "the use case faces customers",
    SignoffRule.When.REGULATED_DECISION: "it supports a regulated decision",
}

CHECKS = [
    ("requires_version", "A recorded version (model and configuration)"),
    ("requires_metrics_passing", "Every evaluation metric meets its threshold"),
    ("requires_assessment", "A risk classification that is not prohibited"),
    ("requires_final_assessment", "The classification is final, not a pre-screen"),
    ("requires_readiness_check", "Every production-readiness question answered yes"),
    ("requires_owner_acceptance", "The business owner accepts (a first-line sign-off)"),
    ("evaluation_fresh_since_stage_entry", "The evaluation report is newer than the current stage's start"),
]


def rule_field_name(function: ReviewFunction) -> str:
    return f"signs_{function.key}"


class GatePolicyForm(forms.Form):
    required_artifact_kinds = forms.MultipleChoiceField(
        label="Evidence that must be uploaded",
        choices=ArtifactKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    registry_fields = forms.MultipleChoiceField(
        label="Registry entries that must be filled in",
        choices=REGISTRY_FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    sla_business_days = forms.IntegerField(
        label="Days reviewers have to decide",
        min_value=1,
        max_value=MAX_SLA_DAYS,
        help_text="Business days from submission; reminders and escalation follow from it.",
    )

    def __init__(self, *args, functions: list[ReviewFunction], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CHECKS:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.functions = functions
        for function in functions:
            self.fields[rule_field_name(function)] = forms.MultipleChoiceField(
                label=f"{function.name} signs when",
                choices=[(when, WHEN_WORDS[SignoffRule.When(when)]) for when in SignoffRule.When.values],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text="Any one ticked condition is enough; none ticked: this function does not sign this gate.",
            )

    @classmethod
    def initial_for(cls, policy: GatePolicy) -> dict:
        initial: dict = {
            "required_artifact_kinds": list(policy.required_artifact_kinds),
            "registry_fields": list(policy.registry_fields),
            "sla_business_days": policy.sla_business_days,
            **{name: getattr(policy, name) for name, _ in CHECKS},
        }
        for rule in policy.signoff_rules.select_related("function"):
            initial.setdefault(rule_field_name(rule.function), []).append(rule.when)
        return initial

    @property
    def check_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _ in CHECKS]

    @property
    def rule_fields(self) -> list[forms.BoundField]:
        return [self[rule_field_name(f)] for f in self.functions]

    def policy_input(self) -> PolicyInput:
        data = self.cleaned_data
        return PolicyInput(
            required_artifact_kinds=data["required_artifact_kinds"],
            registry_fields=data["registry_fields"],
            sla_business_days=data["sla_business_days"],
            signoff_rules=[(f.key, when) for f in self.functions for when in data[rule_field_name(f)]],
            **{name: data[name] for name, _ in CHECKS},
        )
