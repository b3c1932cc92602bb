"""The one gate evaluator.

Given a use case, a version and a target stage, `gate_evaluate` returns every
requirement with met/unmet and why. The request page's checklist, submission,
the pipeline gate endpoint and the packet all show this one result; nothing
else decides whether a use case may move or run.
"""

from __future__ import annotations

from lifecycle.models import (
    Artifact,
    ArtifactKind,
    ModelVersion,
    ReadinessQuestion,
    RiskAssessment,
    Stage,
    Tier,
    UseCase,
)
from signoff.gates.checks import PROMOTION_CHECKS, waivers_apply
from signoff.gates.data import LIVE, GateData
from signoff.gates.obligations import obligation_requirements
from signoff.gates.policy import PolicySpec
from signoff.gates.result import Category, GateResult, Mode, Requirement
from signoff.models import (
    APPROVING_DECISIONS,
    ReadinessRequest,
    RequestState,
    Review,
    ReviewState,
)

REGISTRY_FIELD_LABELS = {
    "purpose": "purpose",
    "approved_scope": "approved uses and scope",
    "business_kpi": "business KPI",
    "technical_owner": "technical owner",
    "business_owner": "business owner",
    "sunset_criteria": "sunset criteria",
    "team": "team",
}


def _stage_requirement(use_case: UseCase, target_stage: int) -> Requirement:
    current = Stage(use_case.stage)
    if current == Stage.RETIRED:
        return Requirement("stage.active", False, "The use case is retired.", Category.STAGE)
    if refusal := use_case.request_refusal(target_stage):
        return Requirement("stage.next", False, refusal, Category.STAGE)
    if target_stage == current:
        return Requirement(
            "stage.next",
            True,
            f"An approval at {current.label}, where the use case is: a new version or its review.",
            Category.STAGE,
        )
    return Requirement(
        "stage.next", True, f"Stage {target_stage} is the next stage after {current.label}.", Category.STAGE
    )


def _classification_requirements(
    use_case: UseCase, spec: PolicySpec | None, assessment: RiskAssessment | None
) -> list[Requirement]:
    out: list[Requirement] = []
    if assessment is not None and assessment.tier == Tier.PROHIBITED:
        out.append(
            Requirement(
                "classification.not_prohibited", False, "Classified prohibited (Art. 5): it can never leave stage 0."
            )
        )
    elif use_case.risk_tier == Tier.PROHIBITED:
        out.append(
            Requirement(
                "classification.not_prohibited", False, "Marked prohibited in the registry: it can never leave stage 0."
            )
        )
    else:
        out.append(Requirement("classification.not_prohibited", True, "Not a prohibited practice."))
    if spec is None:
        return out
    if spec.requires_assessment:
        if assessment is None:
            out.append(
                Requirement("classification.present", False, "No risk classification yet: answer the questionnaire.")
            )
        else:
            out.append(
                Requirement(
                    "classification.present",
                    True,
                    f"Classified {assessment.get_tier_display()} on {assessment.created_at:%Y-%m-%d}.",
                )
            )
    if spec.requires_final_assessment:
        final = assessment is not None and assessment.is_final
        out.append(
            Requirement(
                "classification.final",
                final,
                "The current classification is final."
                if final
                else "The current classification is only a pre-screen; record a final one.",
            )
        )
    return out


def _registry_requirements(use_case: UseCase, spec: PolicySpec) -> list[Requirement]:
    out = []
    for name in spec.registry_fields:
        label = REGISTRY_FIELD_LABELS.get(name, name.replace("_", " "))
        value = getattr(use_case, f"{name}_id", None) if name.endswith("owner") else getattr(use_case, name, "")
        filled = bool(value.strip() if isinstance(value, str) else value)
        out.append(
            Requirement(
                f"registry.{name}", filled, f"Registry {label} recorded." if filled else f"Registry {label} is missing."
            )
        )
    return out


def _version_requirements(version: ModelVersion | None, spec: PolicySpec, data: GateData) -> list[Requirement]:
    out = []
    if spec.requires_version:
        out.append(
            Requirement(
                "version.present",
                version is not None,
                f"Version {version.label}: {version.provider} {version.model_identifier}."
                if version
                else "No version recorded: add what actually runs (provider, model, configuration hash).",
            )
        )
    if spec.requires_metrics_passing:
        metrics = data.metrics(version) if version else []
        failing = [m for m in metrics if not m.passes]
        if not metrics:
            out.append(
                Requirement(
                    "evaluation.thresholds", False, "No evaluation metrics with thresholds recorded for this version."
                )
            )
        elif failing:
            out.append(
                Requirement(
                    "evaluation.thresholds",
                    False,
                    "Below threshold: "
                    + "; ".join(
                        f"{m.name} {m.value:g} (needs {m.get_direction_display()} {m.threshold:g})" for m in failing
                    ),
                )
            )
        else:
            out.append(Requirement("evaluation.thresholds", True, f"All {len(metrics)} metrics meet their thresholds."))
    return out


def _evidence_requirements(
    use_case: UseCase, version: ModelVersion | None, spec: PolicySpec, current: dict[str, Artifact]
) -> list[Requirement]:
    out = []
    for kind in spec.required_artifact_kinds:
        label = ArtifactKind(kind).label if kind in ArtifactKind.values else kind
        artifact = current.get(kind)
        key = f"evidence.{kind}"
        if artifact is None:
            out.append(Requirement(key, False, f"Missing: {label}."))
            continue
        if kind == ArtifactKind.EVALUATION_REPORT and version is not None:
            if artifact.version_id and artifact.version_id != version.pk:
                out.append(
                    Requirement(key, False, f"Stale: the {label.lower()} is for another version, not {version.label}.")
                )
                continue
            if not artifact.version_id and artifact.uploaded_at < version.created_at:
                out.append(Requirement(key, False, f"Stale: the {label.lower()} predates version {version.label}."))
                continue
            if spec.evaluation_fresh_since_stage_entry and artifact.uploaded_at < use_case.stage_entered_at:
                out.append(
                    Requirement(
                        key, False, f"Stale: the {label.lower()} predates the current stage; refresh the evaluation."
                    )
                )
                continue
        out.append(Requirement(key, True, f"{label}: {artifact.original_name} (SHA-256 {artifact.sha256[:12]}…)."))
    return out


def _last_approval_at_stage(use_case: UseCase, stage: int, request: ReadinessRequest | None):
    """When the stage was last approved (entered or renewed): the periodic review's evidence must be newer."""
    approved = ReadinessRequest.objects.filter(use_case=use_case, target_stage=stage, state=RequestState.APPROVED)
    if request is not None and request.pk:
        approved = approved.exclude(pk=request.pk)
    last = approved.order_by("-decided_at").values_list("decided_at", flat=True).first()
    return last or use_case.stage_entered_at


def _review_requirements(
    use_case: UseCase, spec: PolicySpec, request: ReadinessRequest | None, current: dict[str, Artifact]
) -> list[Requirement]:
    """The periodic review's own evidence, each new since the stage was last approved."""
    if not spec.review_artifact_kinds:
        return []
    since = _last_approval_at_stage(use_case, spec.target_stage, request)
    out = []
    for kind in spec.review_artifact_kinds:
        label = ArtifactKind(kind).label if kind in ArtifactKind.values else kind
        artifact = current.get(kind)
        key = f"review.{kind}"
        if artifact is None:
            out.append(Requirement(key, False, f"Periodic review: missing {label.lower()}."))
        elif artifact.uploaded_at <= since:
            out.append(
                Requirement(
                    key,
                    False,
                    f"Periodic review: the {label.lower()} predates the last approval at this stage "
                    f"({since:%Y-%m-%d}); upload a new one.",
                )
            )
        else:
            out.append(
                Requirement(
                    key, True, f"Periodic review: {label}, {artifact.original_name}, new since {since:%Y-%m-%d}."
                )
            )
    return out


def _is_periodic_review(use_case: UseCase, target_stage: int, request: ReadinessRequest | None) -> bool:
    """An approval at the stage the use case is at (a renewal), rather than a promotion."""
    if request is not None:
        return not request.is_promotion
    return target_stage == use_case.stage


def _readiness_requirements(use_case: UseCase, spec: PolicySpec, data: GateData) -> list[Requirement]:
    if not spec.requires_readiness_check:
        return []
    answers = {a.question: a for a in data.answers(use_case)}
    out = []
    for question in ReadinessQuestion:
        answer = answers.get(question.value)
        key = f"readiness.{question.value}"
        if answer is None:
            out.append(Requirement(key, False, f"Unanswered: {question.label}"))
        elif not answer.answer:
            out.append(Requirement(key, False, f"Answered no: {question.label}"))
        else:
            out.append(Requirement(key, True, f"Yes: {question.label}"))
    return out


def _approval_requirements(
    use_case: UseCase, spec: PolicySpec, request: ReadinessRequest | None, functions: list[str], data: GateData
) -> list[Requirement]:
    names = data.function_names(functions)
    reviews: dict[str, Review] = {}
    if request is not None:
        for existing in data.reviews(request):
            reviews[existing.function.key] = existing
    out = []
    for key in functions:
        name = names.get(key, key)
        review = reviews.get(key)
        req_key = f"signoff.{key}"
        if request is None:
            out.append(
                Requirement(req_key, False, f"{name} sign-off needed: no readiness request yet.", Category.APPROVAL)
            )
        elif review is None:
            out.append(Requirement(req_key, False, f"{name} sign-off needed: not yet requested.", Category.APPROVAL))
        elif review.state == ReviewState.DECIDED and review.decision in APPROVING_DECISIONS:
            out.append(
                Requirement(
                    req_key,
                    True,
                    f"Signed by {review.decided_by} ({name}) on {review.decided_at:%Y-%m-%d}.",
                    Category.APPROVAL,
                )
            )
        elif review.state == ReviewState.DECIDED:
            out.append(
                Requirement(
                    req_key,
                    False,
                    f"{name}: {review.get_decision_display().lower()} by {review.decided_by}.",
                    Category.APPROVAL,
                )
            )
        else:
            who = f"assigned to {review.assignee}" if review.assignee_id else "waiting in the queue"
            out.append(
                Requirement(
                    req_key,
                    False,
                    f"{name} sign-off outstanding ({who}, due {review.due_date:%Y-%m-%d}).",
                    Category.APPROVAL,
                )
            )
    if spec.requires_owner_acceptance:
        if not use_case.business_owner_id:
            out.append(Requirement("owner.acceptance", False, "No business owner named to accept.", Category.APPROVAL))
        elif request is not None and request.owner_accepted_at:
            out.append(
                Requirement(
                    "owner.acceptance",
                    True,
                    f"Accepted by the business owner {request.owner_accepted_by}"
                    f" on {request.owner_accepted_at:%Y-%m-%d}.",
                    Category.APPROVAL,
                )
            )
        else:
            out.append(
                Requirement("owner.acceptance", False, "Awaiting the business owner's acceptance.", Category.APPROVAL)
            )
    return out


def gate_evaluate(
    *,
    use_case: UseCase,
    target_stage: int,
    version: ModelVersion | None = None,
    request: ReadinessRequest | None = None,
    data: GateData = LIVE,
) -> GateResult:
    """Every requirement for approving `use_case` at `target_stage`, each met or not, and why.

    The promotion gate (and the approval of a new version, or the periodic review, at the current stage).
    Whether a version may run is the run gate's question (gates/run.py). `data` is what it reads: queried
    as asked by default, or loaded at once for a list of use cases (gates/data.py, gate_data_for).
    """
    if request is None:
        request = data.latest_request(use_case, target_stage)
    if version is None:
        version = request.version if request is not None else data.latest_version(use_case)
    spec = data.policy(request, target_stage)

    requirements = [_stage_requirement(use_case, target_stage)]
    functions: list[str] = []
    assessment = data.assessment(use_case) if target_stage > Stage.PROPOSED else None
    if target_stage > Stage.PROPOSED:
        requirements += _classification_requirements(use_case, spec, assessment)
    if spec is not None:
        current = {a.kind: a for a in data.current_artifacts(use_case)}
        functions = spec.required_functions(use_case)
        requirements += _registry_requirements(use_case, spec)
        requirements += _version_requirements(version, spec, data)
        requirements += _evidence_requirements(use_case, version, spec, current)
        requirements += _readiness_requirements(use_case, spec, data)
        requirements += obligation_requirements(use_case, assessment, spec.obligation_rules, current)
        if _is_periodic_review(use_case, target_stage, request):
            requirements += _review_requirements(use_case, spec, request, current)
        requirements += _approval_requirements(use_case, spec, request, functions, data)
    for check in PROMOTION_CHECKS:
        requirements += data.check(check, use_case, target_stage)
    requirements = waivers_apply(use_case, requirements, data.waivers)
    return GateResult(
        use_case_id=use_case.pk,
        stage=target_stage,
        mode=Mode.PROMOTE,
        requirements=requirements,
        request_id=request.pk if request is not None else None,
        required_functions=functions,
    )
