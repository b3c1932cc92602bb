"""Portfolio insight: where use cases stand, how long stages and reviews take, what waits longest.

Durations come from histograms kept as history is written (core/tallies.py:
each stay in a stage as it ends, each review's cycle as it is decided) and
from the use cases' stage_entered_at for the stays still running (an index
read grouped by stage and hour, which also gives the stage counts), so the
page does not read history however long it grows.
Percentiles interpolate linearly between ranks, as PostgreSQL's percentile_cont does.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from accounts.models import ReviewFunction, User
from audit.services import Verb, audit_record
from core.tallies import counted_percentile, duration_bucket, duration_tally_read
from lifecycle.access import use_cases_visible_to
from lifecycle.models import ACTIVE_STAGES, Stage, UseCase
from lifecycle.tallies import STAGE_STAY
from signoff.models import IN_REVIEW_STATES, ReadinessRequest
from signoff.tallies import REVIEW_CYCLE

SECONDS_PER_DAY = 86400


def percentile(values: list[float], q: float) -> float | None:
    """The q-th quantile (0..1) of values, interpolating linearly between neighbours; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of a set of durations, in days."""

    count: int
    median_days: float | None
    p90_days: float | None

    @classmethod
    def of_seconds(cls, seconds: list[float]) -> Spread:
        days = [s / SECONDS_PER_DAY for s in seconds]
        return cls(count=len(days), median_days=percentile(days, 0.5), p90_days=percentile(days, 0.9))

    @classmethod
    def of_hours(cls, hours: dict[int, int]) -> Spread:
        """From a histogram {hours: how many}."""
        days = {h / 24: n for h, n in hours.items()}
        return cls(
            count=sum(days.values()),
            median_days=counted_percentile(days, 0.5),
            p90_days=counted_percentile(days, 0.9),
        )


@dataclass(frozen=True)
class FunnelBar:
    stage: int
    label: str
    count: int
    width: float  # percentage of the widest bar
    y: int

    # Geometry for the inline SVG, in percent of its width: labels take the
    # left part; each bar is centred in the next half, so the stages narrow
    # like a funnel; the count follows its bar.
    @property
    def _bar_share(self) -> float:
        return max(self.width * FUNNEL_BAR_SHARE / 100, 0.4)

    @property
    def bar_x(self) -> str:
        return f"{FUNNEL_LABEL_SHARE + (FUNNEL_BAR_SHARE - self._bar_share) / 2:.1f}%"

    @property
    def bar_w(self) -> str:
        return f"{self._bar_share:.1f}%"

    @property
    def count_x(self) -> str:
        return f"{FUNNEL_LABEL_SHARE + (FUNNEL_BAR_SHARE + self._bar_share) / 2 + 1:.1f}%"

    @property
    def text_y(self) -> int:
        return self.y + FUNNEL_BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class StageDuration:
    stage: int
    label: str
    spread: Spread


@dataclass(frozen=True)
class FunctionCycle:
    function: str
    spread: Spread


FUNNEL_BAR_HEIGHT = 28
FUNNEL_BAR_GAP = 10
FUNNEL_LABEL_SHARE = 38
FUNNEL_BAR_SHARE = 52


StageEntries = list[tuple[int, datetime, int]]


def stage_entries() -> StageEntries:
    """(stage, hour entered, how many) over every use case, retired included: where each stands and since when.

    One grouped read of the index on (stage, stage_entered_at), without
    touching the table: the stage counts and the running stays both come from it.
    """
    return list(
        UseCase.objects.annotate(hour=TruncHour("stage_entered_at", tzinfo=UTC))
        .values_list("stage", "hour")
        .annotate(n=Count("*"))
        .order_by()
    )


def stage_counts(entries: StageEntries | None = None) -> dict[int, int]:
    """How many use cases sit in each stage, retired included; every stage present, zero or not."""
    counts = dict.fromkeys(Stage.values, 0)
    for stage, _, n in stage_entries() if entries is None else entries:
        counts[stage] += n
    return counts


def funnel(counts: dict[int, int]) -> list[FunnelBar]:
    widest = max((counts[s] for s in ACTIVE_STAGES), default=0) or 1
    return [
        FunnelBar(
            stage=s,
            label=Stage(s).label,
            count=counts[s],
            width=round(100 * counts[s] / widest, 1),
            y=i * (FUNNEL_BAR_HEIGHT + FUNNEL_BAR_GAP),
        )
        for i, s in enumerate(ACTIVE_STAGES)
    ]


def funnel_height() -> int:
    return len(ACTIVE_STAGES) * (FUNNEL_BAR_HEIGHT + FUNNEL_BAR_GAP)


def _stays_now(now: datetime, entries: StageEntries) -> dict[int, dict[int, int]]:
    """The running stays in the active stages, {stage: {hours: count}}, from the hour each entered its stage."""
    out: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for stage, hour, n in entries:
        if stage in ACTIVE_STAGES:
            out[stage][duration_bucket((now - hour).total_seconds())] += n
    return out


def stage_durations(now: datetime | None = None, entries: StageEntries | None = None) -> list[StageDuration]:
    """Time spent in each active stage.

    Completed stays come from the histogram the stage services keep as each
    stay ends (lifecycle/tallies.py). A use case still in a stage contributes
    the time since it entered it (to the hour), so a stage where things get
    stuck shows it before anything leaves. Neither reads the stage history.
    """
    now = now or timezone.now()
    completed = duration_tally_read(STAGE_STAY)
    running = _stays_now(now, stage_entries() if entries is None else entries)
    out = []
    for stage in ACTIVE_STAGES:
        hours: dict[int, int] = defaultdict(int)
        for source in (completed.get(stage, {}), running.get(stage, {})):
            for h, n in source.items():
                hours[h] += n
        out.append(StageDuration(stage=stage, label=Stage(stage).label, spread=Spread.of_hours(hours)))
    return out


def review_cycle_times() -> list[FunctionCycle]:
    """Per function, the time from a review's creation to its decision (signoff/tallies.py counts each decision)."""
    cycles = duration_tally_read(REVIEW_CYCLE)
    names = dict(ReviewFunction.objects.filter(pk__in=cycles).values_list("pk", "name"))
    return sorted(
        (
            FunctionCycle(function=names[pk], spread=Spread.of_hours(hours))
            for pk, hours in cycles.items()
            if pk in names
        ),
        key=lambda c: c.function,
    )


def requests_waiting() -> QuerySet[ReadinessRequest]:
    """Requests under review, oldest submission first; the page sorts them otherwise (portal/filters.py)."""
    return (
        ReadinessRequest.objects.filter(state__in=IN_REVIEW_STATES, submitted_at__isnull=False)
        .select_related("use_case", "submitted_by")
        .order_by("submitted_at", "id")
    )


INVENTORY_COLUMNS = [
    "slug",
    "title",
    "stage",
    "stage_label",
    "stage_entered_at",
    "risk_tier",
    "internal_tier",
    "technical_owner",
    "business_owner",
    "team",
    "purpose",
    "approved_scope",
    "business_kpi",
    "sunset_criteria",
    "processes_personal_data",
    "customer_facing",
    "regulated_decision",
    "revalidation_due",
    "created_at",
    "updated_at",
]


def inventory_for(user: User) -> QuerySet[UseCase]:
    return use_cases_visible_to(user).select_related("technical_owner", "business_owner").order_by("slug")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _owner(user: User | None) -> str:
    return user.username if user is not None else ""


def inventory_row(use_case: UseCase) -> list[str]:
    return [
        use_case.slug,
        _csv_safe(use_case.title),
        str(use_case.stage),
        Stage(use_case.stage).label,
        use_case.stage_entered_at.isoformat(),
        use_case.risk_tier,
        use_case.internal_tier,
        _owner(use_case.technical_owner),
        _owner(use_case.business_owner),
        _csv_safe(use_case.team),
        _csv_safe(use_case.purpose),
        _csv_safe(use_case.approved_scope),
        _csv_safe(use_case.business_kpi),
        _csv_safe(use_case.sunset_criteria),
        "yes" if use_case.processes_personal_data else "no",
        "yes" if use_case.customer_facing else "no",
        "yes" if use_case.regulated_decision else "no",
        use_case.revalidation_due.isoformat() if use_case.revalidation_due else "",
        use_case.created_at.isoformat(),
        use_case.updated_at.isoformat(),
    ]


class _Echo:
    """A file-like object whose write returns what it was given, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def inventory_csv_lines(use_cases: Iterable[UseCase]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(INVENTORY_COLUMNS)
    for use_case in use_cases:
        yield writer.writerow(inventory_row(use_case))


def inventory_export(*, actor: User) -> QuerySet[UseCase]:
    """Record the export in the audit trail and hand back what to stream.

    The event is written before the first byte leaves, so an export that is
    cut off halfway is still on the record.
    """
    use_cases = inventory_for(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.AUDIT_EXPORTED,
            changes={"export": "inventory.csv", "rows": use_cases.count()},
        )
    return use_cases
