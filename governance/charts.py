"""Each monitored metric over time against its threshold, as geometry for an inline SVG (no JavaScript).

The page draws the values as a line with a mark per observation (a square for a breach, a circle otherwise:
shape, not colour, carries the meaning), the threshold as a dashed step line (it may change with the
version), and says the same in words and in a table for those who do not see the drawing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from governance.models import Observation
from lifecycle.models import UseCase

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 28
POINTS_PER_METRIC = 60


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    observation: Observation

    @property
    def mark_x(self) -> float:
        """The top left corner of a breach's square, centred on the point."""
        return round(self.x - 4, 1)

    @property
    def mark_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class MetricChart:
    metric: str
    points: list[ChartPoint]
    line: str  # the values, an SVG path
    threshold_line: str  # the thresholds as a step line, or "" when the metric has none
    ticks: list[tuple[float, str]]  # (y, label) on the value axis
    first: datetime
    last: datetime
    threshold_y: float = 0.0  # the y of the latest threshold

    width = WIDTH
    height = HEIGHT
    plot_left = LEFT
    plot_right = WIDTH - RIGHT
    tick_x = LEFT - 6

    @property
    def threshold_label(self) -> tuple[float, str] | None:
        """Where the latest threshold's value is written, at the right end of its line."""
        latest = next((p for p in reversed(self.points) if p.observation.threshold is not None), None)
        if latest is None or latest.observation.threshold is None:
            return None
        return self.threshold_y, f"threshold {latest.observation.threshold:g}"

    @property
    def breaches(self) -> int:
        return sum(1 for p in self.points if p.observation.breach)

    @property
    def latest(self) -> Observation:
        return self.points[-1].observation

    @property
    def summary(self) -> str:
        """The chart in words: its text alternative."""
        n = len(self.points)
        latest = self.latest
        threshold = f" against a threshold of {latest.threshold:g}" if latest.threshold is not None else ""
        breaches = f"{self.breaches} breached the threshold" if self.breaches else "none breached the threshold"
        return (
            f"{self.metric}: {n} observation{'s' if n != 1 else ''} from {self.first:%Y-%m-%d %H:%M} "
            f"to {self.last:%Y-%m-%d %H:%M}; latest {latest.value:g}{threshold}; {breaches}."
        )


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.1
    return lo - pad, hi + pad


def metric_chart(metric: str, observations: list[Observation]) -> MetricChart:
    """The chart of one metric's observations, oldest first."""
    values = [o.value for o in observations] + [o.threshold for o in observations if o.threshold is not None]
    lo, hi = _scale(min(values), max(values))
    first, last = observations[0].window_end, observations[-1].window_end
    span = (last - first).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(when: datetime) -> float:
        if span <= 0:
            return round(LEFT + plot_w / 2, 1)
        return round(LEFT + plot_w * (when - first).total_seconds() / span, 1)

    def y_of(value: float) -> float:
        return round(TOP + plot_h * (hi - value) / (hi - lo), 1)

    points = [ChartPoint(x_of(o.window_end), y_of(o.value), o) for o in observations]
    line = " ".join(f"{'M' if i == 0 else 'L'} {p.x} {p.y}" for i, p in enumerate(points))
    steps: list[str] = []
    previous: float | None = None
    for point in points:
        threshold = point.observation.threshold
        if threshold is None:
            previous = None
            continue
        y = y_of(threshold)
        steps.append(f"M {point.x} {y}" if previous is None else f"H {point.x} V {y}")
        previous = y
    if steps and len(points) == 1:
        y = y_of(points[0].observation.threshold or 0)
        steps = [f"M {LEFT} {y} H {WIDTH - RIGHT}"]
    ticks = [(y_of(v), f"{v:.3g}") for v in (hi - (hi - lo) * i / 4 for i in range(5))]
    thresholds = [o.threshold for o in observations if o.threshold is not None]
    latest_y = y_of(thresholds[-1]) if thresholds else 0.0
    return MetricChart(metric, points, line, " ".join(steps), ticks, first, last, latest_y)


def charts_of(observations: Iterable[Observation]) -> list[MetricChart]:
    """One chart per metric, from observations given newest first; each keeps its latest POINTS_PER_METRIC."""
    by_metric: dict[str, list[Observation]] = defaultdict(list)
    for observation in observations:
        if len(by_metric[observation.metric]) < POINTS_PER_METRIC:
            by_metric[observation.metric].append(observation)
    return [metric_chart(metric, list(reversed(rows))) for metric, rows in sorted(by_metric.items())]


def use_case_charts(use_case: UseCase, *, limit: int = 2000) -> list[MetricChart]:
    """The charts of a use case's monitored metrics, across its versions, from its latest observations."""
    latest = (
        Observation.objects.filter(version__use_case=use_case)
        .select_related("version")
        .order_by("-window_end", "-id")[:limit]
    )
    return charts_of(latest)
