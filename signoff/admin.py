"""Administrators edit gate policy here; every change is audited with before and after.

Requests are not edited here: they change only through the services, and the
admin shows them read-only for support.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from accounts.http import signed_in_user
from audit.services import Verb, audit_record
from core.admin import ReadOnlyAdmin
from signoff.gates import PolicySpec
from signoff.models import GatePolicy, ReadinessRequest, Review, ReviewCondition, RunningPolicy, SignoffRule


def _policy_state(policy: GatePolicy) -> dict:
    fresh = GatePolicy.objects.prefetch_related("signoff_rules__function").get(pk=policy.pk)
    return PolicySpec.from_policy(fresh).as_snapshot()


# The policy as save_model found it, until save_related has saved the rules and audited both.
_policy_before: WeakKeyDictionary[HttpRequest, dict | None] = WeakKeyDictionary()


class SignoffRuleInline(admin.TabularInline):
    model = SignoffRule
    extra = 1


@admin.register(GatePolicy)
class GatePolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "requires_final_assessment", "requires_readiness_check", "sla_business_days"]
    inlines = [SignoffRuleInline]
    readonly_fields = ["updated_at"]

    def save_model(self, request: HttpRequest, obj: GatePolicy, form, change: bool) -> None:
        # Remember the policy as it was; the audit event is written once the rules are saved too.
        _policy_before[request] = _policy_state(obj) if change and obj.pk else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        # Here rather than in save_formset: without permission on the rules the page has no formset to save.
        super().save_related(request, form, formsets, change)
        before = _policy_before.pop(request, None)
        after = _policy_state(form.instance)
        if before != after:
            audit_record(
                actor=signed_in_user(request),
                verb=Verb.POLICY_CHANGED,
                obj=form.instance,
                changes={"before": before, "after": after},
            )

    def delete_model(self, request: HttpRequest, obj: GatePolicy) -> None:
        before = _policy_state(obj)
        audit_record(
            actor=signed_in_user(request), verb=Verb.POLICY_CHANGED, obj=obj, changes={"before": before, "after": None}
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for policy in queryset:
            self.delete_model(request, policy)


@admin.register(ReadinessRequest)
class ReadinessRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "revision", "submitted_by", "created_at", "decided_at"]
    list_filter = ["state", "target_stage"]
    search_fields = ["use_case__title", "use_case__slug"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "assignee", "due_date", "decision", "decided_by"]
    list_filter = ["state", "function", "decision"]


@admin.register(RunningPolicy)
class RunningPolicyAdmin(admin.ModelAdmin):
    """One row: graces and review frequencies after approval. Changes are audited like the gate policies."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not RunningPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: RunningPolicy | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RunningPolicy, form, change: bool) -> None:
        stored = RunningPolicy.objects.filter(pk=obj.pk).first() if obj.pk else None
        before = model_to_dict(stored) if stored is not None else None
        obj.pk = 1
        super().save_model(request, obj, form, change)
        audit_record(
            actor=signed_in_user(request),
            verb=Verb.POLICY_CHANGED,
            obj=obj,
            changes={"before": before, "after": model_to_dict(obj)},
        )


@admin.register(ReviewCondition)
class ReviewConditionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "use_case", "owner", "due_date", "blocking", "status"]
    list_filter = ["status", "blocking"]
    search_fields = ["text", "use_case__title", "use_case__slug"]
