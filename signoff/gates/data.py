"""What the gate evaluator reads, one use case at a time or loaded at once for many.

`gate_evaluate` asks a GateData for each thing it needs. `LIVE` queries as it
is asked (one use case: a request page, submission, the pipeline).
`gate_data_for(use_cases, ...)` loads the same things for a list of use cases
with one query each, so a page that shows the gate for ten use cases costs
the same number of queries as one that shows it for two. Both answer alike:
the evaluator's rules are written once, in evaluate.py.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Prefetch, Subquery

from accounts.models import ReviewFunction
from lifecycle.models import Artifact, EvaluationMetric, ModelVersion, ReadinessAnswer, RiskAssessment, UseCase
from lifecycle.selectors import assessment_current, version_latest
from signoff.gates.checks import PROMOTION_CHECKS_MANY, WAIVER_SOURCES_MANY, PromotionCheck, WaiverSource
from signoff.gates.policy import PolicySpec, policy_for_request
from signoff.gates.result import Requirement
from signoff.models import GatePolicy, ReadinessRequest, RequestState, Review, SignoffRule

CLOSED_FOR_THE_GATE = [RequestState.WITHDRAWN, RequestState.SUPERSEDED, RequestState.REJECTED]


class GateData:
    """Reads for one use case at a time, as they are asked for."""

    def latest_request(self, use_case: UseCase, target_stage: int) -> ReadinessRequest | None:
        return (
            ReadinessRequest.objects.filter(use_case=use_case, target_stage=target_stage)
            .exclude(state__in=CLOSED_FOR_THE_GATE)
            .order_by("-created_at", "-id")
            .first()
        )

    def latest_version(self, use_case: UseCase) -> ModelVersion | None:
        return version_latest(use_case)

    def policy(self, request: ReadinessRequest | None, target_stage: int) -> PolicySpec | None:
        return (policy_for_request(request) if request is not None else None) or PolicySpec.for_stage(target_stage)

    def assessment(self, use_case: UseCase) -> RiskAssessment | None:
        return assessment_current(use_case)

    def metrics(self, version: ModelVersion) -> list[EvaluationMetric]:
        return list(version.metrics.all())

    def current_artifacts(self, use_case: UseCase) -> list[Artifact]:
        return list(Artifact.objects.filter(use_case=use_case, is_current=True).exclude(kind="other"))

    def answers(self, use_case: UseCase) -> list[ReadinessAnswer]:
        return list(ReadinessAnswer.objects.filter(use_case=use_case))

    def function_names(self, keys: list[str]) -> dict[str, str]:
        return dict(ReviewFunction.objects.filter(key__in=keys).values_list("key", "name"))

    def check(self, check: PromotionCheck, use_case: UseCase, target_stage: int) -> list[Requirement]:
        return check(use_case, target_stage)

    def waivers(self, source: WaiverSource, use_case: UseCase) -> dict[str, str]:
        return source(use_case)

    def reviews(self, request: ReadinessRequest) -> list[Review]:
        return list(
            Review.objects.filter(request=request, revision=request.revision).select_related(
                "function", "decided_by", "assignee"
            )
        )


LIVE = GateData()


def _newest(model, ids: list[int], *, same: tuple[str, ...] = ("use_case_id",)):
    """The newest row (by created_at, id) of `model` for each use case in ids (and each value of the `same` fields)."""
    newest = model.objects.filter(**{f: OuterRef(f) for f in same}).order_by("-created_at", "-id").values("pk")[:1]
    return model.objects.filter(use_case_id__in=ids, pk=Subquery(newest))


class _Loaded(GateData):
    """The same reads answered from rows loaded once for a list of use cases."""

    def __init__(self, use_cases: list[UseCase], target_stages: Iterable[int]) -> None:
        ids = [u.pk for u in use_cases]
        self._use_cases = use_cases
        self._checked: dict[tuple[PromotionCheck, int], dict[int, list[Requirement]]] = {}
        self._waived: dict[WaiverSource, dict[int, dict[str, str]]] = {}
        targets = set(target_stages)
        open_requests = ReadinessRequest.objects.exclude(state__in=CLOSED_FOR_THE_GATE)
        newest_request = (
            open_requests.filter(use_case_id=OuterRef("use_case_id"), target_stage=OuterRef("target_stage"))
            .order_by("-created_at", "-id")
            .values("pk")[:1]
        )
        self._requests = {
            (r.use_case_id, r.target_stage): r
            for r in open_requests.filter(use_case_id__in=ids, target_stage__in=targets, pk=Subquery(newest_request))
            .select_related("version", "owner_accepted_by")
            .prefetch_related("version__metrics")
        }
        self._versions = {v.use_case_id: v for v in _newest(ModelVersion, ids).prefetch_related("metrics")}
        self._policies = {
            p.target_stage: PolicySpec.from_policy(p)
            for p in GatePolicy.objects.filter(target_stage__in=targets).prefetch_related(
                Prefetch("signoff_rules", queryset=SignoffRule.objects.select_related("function"))
            )
        }
        self._assessments = {a.use_case_id: a for a in _newest(RiskAssessment, ids).select_related("assessed_by")}
        self._artifacts: dict[int, list[Artifact]] = defaultdict(list)
        for artifact in Artifact.objects.filter(use_case_id__in=ids, is_current=True).exclude(kind="other"):
            self._artifacts[artifact.use_case_id].append(artifact)
        self._answers: dict[int, list[ReadinessAnswer]] = defaultdict(list)
        for answer in ReadinessAnswer.objects.filter(use_case_id__in=ids):
            self._answers[answer.use_case_id].append(answer)
        self._names = dict(ReviewFunction.objects.values_list("key", "name"))
        self._reviews: dict[int, list[Review]] = defaultdict(list)
        revisions = {r.pk: r.revision for r in self._requests.values()}
        for review in Review.objects.filter(request_id__in=revisions).select_related(
            "function", "decided_by", "assignee"
        ):
            if review.revision == revisions[review.request_id]:
                self._reviews[review.request_id].append(review)

    def with_policy(self, spec: PolicySpec) -> _Loaded:
        """The same rows read under `spec` for its stage: a policy not saved yet (the policy page's preview)."""
        proposed = copy.copy(self)
        proposed._policies = {**self._policies, spec.target_stage: spec}
        return proposed

    def latest_request(self, use_case: UseCase, target_stage: int) -> ReadinessRequest | None:
        return self._requests.get((use_case.pk, target_stage))

    def latest_version(self, use_case: UseCase) -> ModelVersion | None:
        return self._versions.get(use_case.pk)

    def policy(self, request: ReadinessRequest | None, target_stage: int) -> PolicySpec | None:
        if request is not None and request.policy_snapshot:
            return PolicySpec.from_snapshot(request.policy_snapshot)
        return self._policies.get(target_stage)

    def assessment(self, use_case: UseCase) -> RiskAssessment | None:
        return self._assessments.get(use_case.pk)

    def metrics(self, version: ModelVersion) -> list[EvaluationMetric]:
        return list(version.metrics.all())  # prefetched with the version

    def current_artifacts(self, use_case: UseCase) -> list[Artifact]:
        return self._artifacts.get(use_case.pk, [])

    def answers(self, use_case: UseCase) -> list[ReadinessAnswer]:
        return self._answers.get(use_case.pk, [])

    def function_names(self, keys: list[str]) -> dict[str, str]:
        return {k: self._names[k] for k in keys if k in self._names}

    def reviews(self, request: ReadinessRequest) -> list[Review]:
        return self._reviews.get(request.pk, [])

    def check(self, check: PromotionCheck, use_case: UseCase, target_stage: int) -> list[Requirement]:
        many = PROMOTION_CHECKS_MANY.get(check)
        if many is None:
            return check(use_case, target_stage)
        if (check, target_stage) not in self._checked:
            self._checked[(check, target_stage)] = many(self._use_cases, target_stage)
        return self._checked[(check, target_stage)].get(use_case.pk, [])

    def waivers(self, source: WaiverSource, use_case: UseCase) -> dict[str, str]:
        many = WAIVER_SOURCES_MANY.get(source)
        if many is None:
            return source(use_case)
        if source not in self._waived:
            self._waived[source] = many(self._use_cases)
        return self._waived[source].get(use_case.pk, {})


def gate_data_for(use_cases: list[UseCase], *, target_stages: Iterable[int]) -> GateData:
    """Everything the gate evaluator reads for these use cases, loaded with one query per kind of row."""
    return _Loaded(use_cases, target_stages) if use_cases else LIVE


def gate_data_loaded(use_cases: list[UseCase], *, target_stages: Iterable[int]) -> _Loaded:
    """As gate_data_for, always loaded, so it can be read again under another policy (`with_policy`)."""
    return _Loaded(use_cases, target_stages)
