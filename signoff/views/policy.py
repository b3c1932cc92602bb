"""Gate policy in the portal: everyone with a role reads it in words; compliance leads and administrators edit it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import ReviewFunction
from audit.refusals import Refused
from core.forms import form_errors_apply
from lifecycle.models import ArtifactKind, Stage, UseCase
from signoff import access, services
from signoff.gates.preview import policy_preview
from signoff.models import REGISTRY_FIELD_CHOICES, GatePolicy
from signoff.policy_forms import CHECKS, WHEN_WORDS, GatePolicyForm
from signoff.views.common import BAD_REQUEST


def _words(policy: GatePolicy) -> dict:
    """One policy as sentences: what the first line supplies, who signs when, how long reviewers have."""
    kinds, fields = dict(ArtifactKind.choices), dict(REGISTRY_FIELD_CHOICES)
    rules: dict[str, list[str]] = {}
    for rule in policy.signoff_rules.all():
        rules.setdefault(rule.function.name, []).append(WHEN_WORDS.get(rule.when, rule.when))
    return {
        "policy": policy,
        "stage_label": Stage(policy.target_stage).label,
        "evidence": [kinds.get(k, k) for k in policy.required_artifact_kinds],
        "registry": [fields.get(f, f) for f in policy.registry_fields],
        "checks": [label for name, label in CHECKS if getattr(policy, name)],
        "signers": [f"{name} signs when {' or '.join(whens)}" for name, whens in sorted(rules.items())],
    }


def _require_role(request: AuthenticatedHttpRequest) -> None:
    # An account without a role sees nothing and cannot tell what exists.
    if not request.user.has_any_role:
        raise Http404("No such page.")


def _policies():
    return GatePolicy.objects.prefetch_related("signoff_rules__function").order_by("target_stage")


@require_safe
def policy_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_role(request)
    return render(
        request,
        "signoff/policy_list.html",
        {
            "gates": [_words(p) for p in _policies()],
            "may_edit": access.policy_edit_refusal(request.user) is None,
            "crumbs": [("Gate policy", "")],
        },
    )


@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthenticatedHttpRequest, stage: int) -> HttpResponse:
    _require_role(request)
    policy = _policies().filter(target_stage=stage).first()
    if policy is None:
        raise Http404("No gate policy for this stage.")
    if (refusal := access.policy_edit_refusal(request.user)) is not None:
        raise Refused(refusal.reason, obj=policy)
    functions = list(ReviewFunction.objects.order_by("name"))
    form = GatePolicyForm(request.POST or None, functions=functions, initial=GatePolicyForm.initial_for(policy))
    status = 200
    preview = None
    if request.method == "POST":
        if form.is_valid() and request.POST.get("preview"):
            # A preview reads only: the evaluator runs under the proposed policy, and nothing is saved or audited.
            names = {f.key: f.name for f in functions}
            preview = policy_preview(proposed=form.policy_input().as_spec(policy), function_names=names)
        elif form.is_valid():
            try:
                services.gate_policy_update(policy=policy, actor=request.user, edit=form.policy_input())
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request, f"Saved the gate to {Stage(stage).label}. Requests already submitted keep theirs."
                )
                return redirect("signoff:policy-list")
        status = 200 if preview is not None else BAD_REQUEST
    return render(
        request,
        "signoff/policy_form.html",
        {
            "form": form,
            "gate": _words(policy),
            "preview": preview,
            "heading_for": UseCase.objects.filter(stage=stage - 1).count(),
            "crumbs": [("Gate policy", reverse("signoff:policy-list")), (f"Stage {stage}", "")],
        },
        status=status,
    )
