"""Monitoring results: observed values of a version's metrics, each checked against the version's thresholds.

A breach opens a finding (one open finding per metric and version, however many observations breach it); a
breach of a threshold marked critical suspends the use case where the gate policy of its stage says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Verb, audit_record
from governance.models import Finding, Observation, Severity, Suspension
from governance.services.findings import finding_raise
from governance.services.suspensions import suspension_active, use_case_suspend
from lifecycle.access import use_case_may_change
from lifecycle.models import EvaluationMetric, ModelVersion, Stage
from lifecycle.services.base import use_case_lock
from signoff.models import GatePolicy

MAX_BATCH = 1000
NAME_MAX = 100
# Days the owner has to remediate a breach: a critical threshold is urgent, any other one a routine fix.
REMEDIATION_DAYS = {True: 7, False: 30}


@dataclass(frozen=True)
class ObservationSpec:
    metric: str
    value: float
    window_start: datetime | None = None
    window_end: datetime | None = None
    source: str = ""


@dataclass(frozen=True)
class ObservationsRecorded:
    observations: list[Observation]
    findings_opened: list[Finding] = field(default_factory=list)
    suspension: Suspension | None = None

    @property
    def breaches(self) -> list[Observation]:
        return [o for o in self.observations if o.breach]


def _validate(specs: list[ObservationSpec]) -> None:
    if not specs:
        raise ValidationError({"observations": "Send at least one observation."})
    if len(specs) > MAX_BATCH:
        raise ValidationError({"observations": f"Send at most {MAX_BATCH} observations at a time."})
    errors: list[str] = []
    for number, spec in enumerate(specs, start=1):
        name = spec.metric.strip()
        if not name or len(name) > NAME_MAX:
            errors.append(f"Observation {number}: the metric needs a name of at most {NAME_MAX} characters.")
        elif not math.isfinite(spec.value):
            errors.append(f"Observation {number}: the value must be a finite number.")
        elif len(spec.source) > NAME_MAX:
            errors.append(f"Observation {number}: the source is at most {NAME_MAX} characters.")
        elif spec.window_start is not None and spec.window_end is None:
            errors.append(f"Observation {number}: a window that starts needs an end.")
        elif spec.window_start is not None and spec.window_end is not None and spec.window_start > spec.window_end:
            errors.append(f"Observation {number}: the window ends before it starts.")
    if errors:
        raise ValidationError({"observations": errors})


def _breach_words(metric: EvaluationMetric, observation: Observation) -> str:
    where = f" from {observation.source}" if observation.source else ""
    return (
        f"Observed {observation.value:g}{where} over the window ending {observation.window_end:%Y-%m-%d %H:%M %Z}; "
        f"the threshold is {metric.get_direction_display()} {metric.threshold:g}."
    )


def _open_finding_for(version: ModelVersion, metric: str) -> Finding | None:
    """The monitoring finding still open for this metric of this version, if a breach opened one."""
    return (
        Finding.objects.filter(
            use_case_id=version.use_case_id,
            version=version,
            source=Finding.Source.MONITORING,
            observations__metric=metric,
        )
        .exclude(state=Finding.State.CLOSED)
        .order_by("raised_at", "id")
        .first()
    )


def _suspends_at(stage: int) -> bool:
    if stage in (Stage.PROPOSED, Stage.RETIRED):
        return False
    return GatePolicy.objects.filter(target_stage=stage, suspend_on_critical_breach=True).exists()


def observations_record(
    *, version: ModelVersion, actor: User, observations: list[ObservationSpec]
) -> ObservationsRecorded:
    """Record a batch of observations of one version, all or nothing; open findings and suspend as the breaches say.

    The observations keep the threshold they were checked against, so a later version's thresholds never rewrite
    what was a breach when it was seen.
    """
    _validate(observations)
    now = timezone.now()
    with transaction.atomic():
        # Locked for the whole batch: two monitors pushing at once must not open two findings for one metric.
        use_case = use_case_lock(use_case=version.use_case)
        if not use_case_may_change(actor, use_case):
            raise PermissionDenied(
                "Auditors read; they change nothing."
                if actor.is_auditor
                else "Only the use case's owners or an administrator may record its monitoring results."
            )
        if use_case.stage == Stage.RETIRED:
            raise ValidationError("The use case is retired; it is no longer monitored.")
        thresholds = {m.name: m for m in EvaluationMetric.objects.filter(version=version)}
        rows = []
        for spec in observations:
            metric = thresholds.get(spec.metric.strip())
            row = Observation(
                version=version,
                metric=spec.metric.strip(),
                value=spec.value,
                window_start=spec.window_start,
                window_end=spec.window_end or now,
                source=spec.source.strip(),
                threshold=metric.threshold if metric is not None else None,
                breach=metric is not None and not metric.holds_for(spec.value),
                recorded_by=actor,
                recorded_at=now,
            )
            rows.append(row)

        opened: list[Finding] = []
        findings: dict[str, Finding] = {}
        for row in rows:
            if not row.breach or row.metric in findings:
                continue
            metric = thresholds[row.metric]
            finding = _open_finding_for(version, row.metric)
            if finding is None:
                finding = finding_raise(
                    use_case=use_case,
                    actor=actor,
                    source=Finding.Source.MONITORING,
                    severity=Severity.CRITICAL if metric.critical else Severity.MEDIUM,
                    title=f"{row.metric} breached its threshold on version {version.label}",
                    description=_breach_words(metric, row),
                    due_date=timezone.localdate() + timedelta(days=REMEDIATION_DAYS[metric.critical]),
                    version=version,
                    by_policy=True,
                )
                opened.append(finding)
            findings[row.metric] = finding
        for row in rows:
            row.finding = findings.get(row.metric) if row.breach else None
        Observation.objects.bulk_create(rows)

        breached = sorted({row.metric for row in rows if row.breach})
        audit_record(
            actor=actor,
            verb=Verb.OBSERVATIONS_RECORDED,
            obj=version,
            use_case_id=use_case.pk,
            changes={
                "version": version.label,
                "count": len(rows),
                "metrics": sorted({row.metric for row in rows}),
                "breached": breached,
                "findings_opened": [f.pk for f in opened],
            },
        )

        suspension = None
        critical = [name for name in breached if thresholds[name].critical]
        if critical and suspension_active(use_case) is None and _suspends_at(use_case.stage):
            first = next(row for row in rows if row.metric == critical[0] and row.breach)
            suspension = use_case_suspend(
                use_case=use_case,
                actor=actor,
                reason=(
                    f"Critical threshold breached on version {version.label}: {', '.join(critical)}. "
                    f"{_breach_words(thresholds[critical[0]], first)}"
                ),
                cause=f"monitoring: {', '.join(critical)}"[:200],
                by_policy=True,
            )
    return ObservationsRecorded(observations=rows, findings_opened=opened, suspension=suspension)
