"""The evidence a request was submitted on, in the shape a reviewer reads: each file to open, each metric
against its threshold, the classification and the readiness answers, as recorded at submission."""

from __future__ import annotations

from django.urls import reverse

from lifecycle.models import (
    Artifact,
    ArtifactKind,
    EvaluationMetric,
    InternalTier,
    ReadinessQuestion,
    RiskAssessment,
    Tier,
)
from lifecycle.uploads import inline_content_type
from signoff.models import ReadinessRequest


def _metric_row(metric: dict) -> dict:
    direction = metric.get("direction", EvaluationMetric.Direction.AT_LEAST)
    value, threshold = metric.get("value"), metric.get("threshold")
    passes = None
    if isinstance(value, int | float) and isinstance(threshold, int | float):
        passes = value >= threshold if direction == EvaluationMetric.Direction.AT_LEAST else value <= threshold
    return {
        "name": metric.get("name", ""),
        "value": value,
        "threshold": threshold,
        "rule": dict(EvaluationMetric.Direction.choices).get(direction, direction),
        "passes": passes,
    }


def snapshot_context(readiness_request: ReadinessRequest) -> dict:
    """What the request page and the review page show of the snapshot; empty before submission."""
    evidence = readiness_request.evidence_snapshot or {}
    use_case = readiness_request.use_case
    kinds = dict(ArtifactKind.choices)
    recorded = evidence.get("artifacts", [])
    stored = {
        a.pk: a
        for a in Artifact.objects.filter(use_case=use_case, pk__in=[a.get("id") for a in recorded]).only(
            "pk", "content_type"
        )
    }
    artifacts = []
    for item in recorded:
        artifact = stored.get(item.get("id"))
        url = reverse("lifecycle:artifact-download", args=[use_case.slug, item["id"]]) if artifact else ""
        previewable = artifact is not None and inline_content_type(artifact.content_type) is not None
        artifacts.append(
            {
                "kind": item.get("kind", ""),
                "label": kinds.get(item.get("kind", ""), "Other evidence"),
                "name": item.get("name", ""),
                "size": item.get("size"),
                "sha256": item.get("sha256", ""),
                "download_url": url,
                "open_url": f"{url}?inline=1" if previewable else "",
            }
        )
    report = next((a for a in artifacts if a["kind"] == ArtifactKind.EVALUATION_REPORT and a["download_url"]), None)
    version = evidence.get("version") or None
    recorded_assessment = evidence.get("assessment") or None
    assessment = None
    if recorded_assessment:
        assessment = RiskAssessment.objects.filter(use_case=use_case, pk=recorded_assessment.get("id")).first()
    questions = dict(ReadinessQuestion.choices)
    return {
        "submitted": bool(readiness_request.revision and evidence),
        "version": version,
        "metric_rows": [_metric_row(m) for m in (version or {}).get("metrics", [])],
        "artifacts": artifacts,
        "evaluation_report": report,
        "classification": None
        if recorded_assessment is None
        else {
            "tier": dict(Tier.choices).get(recorded_assessment.get("tier", ""), "Not yet classified"),
            "final": bool(recorded_assessment.get("is_final")),
            "internal_tier": dict(InternalTier.choices).get(assessment.internal_tier, "")
            if assessment is not None
            else "",
            "role": assessment.get_role_display() if assessment is not None else "",
            "summary": assessment.summary if assessment is not None else "",
            "url": reverse("lifecycle:assessment-detail", args=[use_case.slug, assessment.pk])
            if assessment is not None
            else "",
        },
        "readiness_rows": [
            {"question": questions.get(q, "A question no longer asked"), "yes": bool(yes)}
            for q, yes in evidence.get("readiness", {}).items()
        ],
    }
