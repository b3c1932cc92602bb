"""Running governance on the insight page: findings not yet closed by severity, and how long remediation takes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F

from governance.models import Finding, Severity
from portal.insight import Spread


def _seconds(delta: timedelta | None) -> float:
    return max(delta.total_seconds(), 0.0) if delta is not None else 0.0


@dataclass(frozen=True)
class SeverityRow:
    severity: str
    label: str
    unclosed: int
    # Raised to validated closed, over the closed findings of this severity.
    to_closure: Spread


def findings_by_severity() -> list[SeverityRow]:
    """Per severity, worst first: how many findings are not yet closed, and the time closed ones took."""
    unclosed = dict(
        Finding.objects.exclude(state=Finding.State.CLOSED)
        .values("severity")
        .annotate(n=Count("id"))
        .values_list("severity", "n")
        .order_by()
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    closed = (
        Finding.objects.filter(state=Finding.State.CLOSED, validated_at__isnull=False)
        .annotate(took=ExpressionWrapper(F("validated_at") - F("raised_at"), output_field=DurationField()))
        .values_list("severity", "took")
        .order_by()
    )
    for severity, took in closed:
        seconds[severity].append(_seconds(took))
    return [
        SeverityRow(value, str(label), unclosed.get(value, 0), Spread.of_seconds(seconds[value]))
        for value, label in reversed(Severity.choices)
    ]
