"""The run gate: may *this version* run at stage N? The deployment pipeline's question.

Running is about standing approvals, never about evidence: a version may run
at stage N while it holds an approval for N or above that still stands. Adding
a candidate version, uploading its evidence or opening its request changes
nothing here; evidence freshness is the promotion gate's business
(gates/evaluate.py).

An approval stands while the version is the one approved at the current stage
(or the one it replaced, kept as the declared rollback target), the use case
has not been retired or demoted below N, and nothing that `RUN_CHECKS` asks
about blocks it (the periodic review overdue past its grace, and what running
governance adds: suspension, blocking incidents and conditions).

The whole answer costs a handful of queries: the use case with both run
versions and the audit head in one, the subject version if it is neither, and
the requests of that version in one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import AuditChainHead
from lifecycle.models import ModelVersion, Stage, Tier, UseCase
from signoff.gates.checks import waivers_apply
from signoff.gates.result import Category, GateResult, Mode, Requirement
from signoff.models import IN_REVIEW_STATES, ReadinessRequest, RequestState, RunningPolicy

SHA256_DIGEST_PREFIX = "sha256:"


class VersionRole:
    CURRENT = "current"
    ROLLBACK = "rollback"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class RunAnswer:
    result: GateResult
    version: ModelVersion | None
    role: str | None
    approval: ReadinessRequest | None
    pending: bool
    head_seq: int
    head_hash: str

    @property
    def allowed(self) -> bool:
        return self.result.allowed


# Checks that may forbid running whatever the approvals say; running governance adds its own.
RunCheck = Callable[[UseCase, int, date], Requirement | None]
RUN_CHECKS: list[RunCheck] = []


# What the checks read, annotated on the use case when the gate loads it: a check costs the pipeline no query.
RUN_ANNOTATIONS: dict[str, Callable[[], Any]] = {}


def run_check(check: RunCheck) -> RunCheck:
    """Register a check of the run gate (a decorator); each returns a requirement, or None when it does not apply."""
    if check not in RUN_CHECKS:
        RUN_CHECKS.append(check)
    return check


def run_annotation(name: str, expression: Callable[[], Any]) -> None:
    """Have use_case_for_gate annotate `name` (a subquery, built when the gate asks), for a check to read."""
    RUN_ANNOTATIONS[name] = expression


def _review_grace_days() -> Coalesce:
    policy = RunningPolicy.objects.filter(pk=1).values("review_grace_days")[:1]
    return Coalesce(Subquery(policy), Value(RunningPolicy._meta.get_field("review_grace_days").get_default()))


run_annotation("review_grace_days", _review_grace_days)


@run_check
def periodic_review_check(use_case: UseCase, stage: int, today: date) -> Requirement | None:
    """Met while the periodic review is not overdue past its grace; a request at the current stage renews it."""
    if use_case.stage not in (Stage.GUARDED, Stage.SCALE):
        return None
    key = "revalidation.current"
    due = use_case.revalidation_due
    if due is None:
        if use_case.risk_tier != Tier.HIGH:
            return None
        return Requirement(key, False, "High-risk use case in production without a periodic review date.")
    if due >= today:
        return Requirement(key, True, f"Periodic review due {due:%Y-%m-%d}.")
    grace = getattr(use_case, "review_grace_days", None)
    if grace is None:
        grace = RunningPolicy.current().review_grace_days
    denies_from = due + timedelta(days=int(grace) + 1)
    if today < denies_from:
        return Requirement(
            key, True, f"Periodic review overdue since {due:%Y-%m-%d}; the gate denies from {denies_from:%Y-%m-%d}."
        )
    return Requirement(
        key,
        False,
        f"Periodic review overdue since {due:%Y-%m-%d}, past its {grace}-day grace: ask for the review "
        f"(a readiness request at stage {use_case.stage}).",
    )


def use_case_for_gate(queryset: QuerySet[UseCase], slug: str) -> UseCase | None:
    """The use case with both run versions and the audit chain head, in one query."""
    head = AuditChainHead.objects.filter(pk=1)
    return (
        queryset.filter(slug=slug)
        .select_related("current_version", "rollback_version")
        .annotate(
            head_seq=Subquery(head.values("seq")[:1]),
            head_hash=Subquery(head.values("hash")[:1]),
            **{name: expression() for name, expression in RUN_ANNOTATIONS.items()},
        )
        .first()
    )


def _subject(use_case: UseCase, label: str | None, digest: str | None) -> ModelVersion | None:
    known = [v for v in (use_case.current_version, use_case.rollback_version) if v is not None]
    if label is None and digest is None:
        return use_case.current_version
    if label is not None:
        for version in known:
            if version.label == label:
                return version
        return ModelVersion.objects.filter(use_case=use_case, label=label).first()
    hex_hash = (digest or "").removeprefix(SHA256_DIGEST_PREFIX)
    for version in known:
        if hex_hash in (version.config_hash, version.image_hash, version.weights_hash):
            return version
    return (
        ModelVersion.objects.filter(use_case=use_case)
        .filter(Q(config_hash=hex_hash) | Q(image_hash=hex_hash) | Q(weights_hash=hex_hash))
        .order_by("-created_at", "-id")
        .first()
    )


def _role(use_case: UseCase, version: ModelVersion) -> str:
    if version.pk == use_case.current_version_id:
        return VersionRole.CURRENT
    if version.pk == use_case.rollback_version_id:
        return VersionRole.ROLLBACK
    return VersionRole.CANDIDATE


def _approval_requirement(
    use_case: UseCase, version: ModelVersion, role: str, stage: int, approval: ReadinessRequest | None
) -> Requirement:
    key = "approval.standing"
    if approval is None:
        return Requirement(
            key, False, f"Version {version.label} holds no approval for stage {stage} or above.", Category.APPROVAL
        )
    when = f"{approval.decided_at:%Y-%m-%d}" if approval.decided_at else "?"
    approved = f"approved for stage {approval.target_stage} by request #{approval.pk} on {when}"
    if role == VersionRole.CANDIDATE:
        current = use_case.current_version.label if use_case.current_version else "none"
        return Requirement(
            key,
            False,
            f"Version {version.label} was {approved}, but {current} has replaced it and it is not the rollback target.",
            Category.APPROVAL,
        )
    label = "the rollback target" if role == VersionRole.ROLLBACK else "the version running"
    return Requirement(key, True, f"Version {version.label}, {label}, was {approved}.", Category.APPROVAL)


def gate_run(*, use_case: UseCase, stage: int, label: str | None = None, digest: str | None = None) -> RunAnswer:
    """May the version named by `label` or `digest` (or the one approved at the current stage) run at `stage`?"""
    version = _subject(use_case, label, digest)
    requirements: list[Requirement] = []
    if use_case.stage == Stage.RETIRED:
        requirements.append(Requirement("stage.active", False, "The use case is retired.", Category.STAGE))
    if version is None:
        if label is not None or digest is not None:
            named = f"version {label}" if label is not None else f"a version with digest {digest}"
            detail = f"No {named} is registered for this use case."
        else:
            detail = "No version has been approved at the use case's current stage."
        requirements.append(Requirement("version.known", False, detail, Category.STAGE))
        result = GateResult(use_case_id=use_case.pk, stage=stage, mode=Mode.RUN, requirements=requirements)
        return RunAnswer(result, None, None, None, False, _head_seq(use_case), _head_hash(use_case))

    role = _role(use_case, version)
    requests = list(
        ReadinessRequest.objects.filter(
            use_case=use_case,
            version=version,
            target_stage__gte=max(stage, 1),
            state__in=[RequestState.APPROVED, *IN_REVIEW_STATES],
        )
        .select_related("packet")
        .order_by("-target_stage", "-decided_at", "-id")
    )
    approval = next((r for r in requests if r.state == RequestState.APPROVED), None)
    pending = any(r.state in IN_REVIEW_STATES for r in requests)

    current = Stage(use_case.stage) if use_case.stage in Stage.values else None
    if stage == Stage.PROPOSED:
        requirements.append(
            Requirement(
                "stage.current", True, "Stage 0 runs nothing; every registered version may be there.", Category.STAGE
            )
        )
    else:
        requirements.append(_approval_requirement(use_case, version, role, stage, approval))
        if use_case.stage != Stage.RETIRED:
            where = current.label if current else str(use_case.stage)
            at_or_above = use_case.stage >= stage
            detail = f"The use case is at {where}." if at_or_above else f"Not at stage {stage} now: it is at {where}."
            requirements.append(Requirement("stage.current", at_or_above, detail, Category.STAGE))
        today = timezone.localdate()
        for check in RUN_CHECKS:
            if (requirement := check(use_case, stage, today)) is not None:
                requirements.append(requirement)
    requirements = waivers_apply(use_case, requirements)
    result = GateResult(
        use_case_id=use_case.pk,
        stage=stage,
        mode=Mode.RUN,
        requirements=requirements,
        request_id=approval.pk if approval is not None else None,
    )
    return RunAnswer(result, version, role, approval, pending, _head_seq(use_case), _head_hash(use_case))


def _head_seq(use_case: UseCase) -> int:
    value = getattr(use_case, "head_seq", None)
    return int(value) if value is not None else 0


def _head_hash(use_case: UseCase) -> str:
    value = getattr(use_case, "head_hash", None)
    return str(value) if value is not None else "0" * 64
