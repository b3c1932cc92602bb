"""Histograms of durations, kept as history is written, and percentiles read from them.

A duration counts in the bucket of its whole hours up to EXACT_HOURS, and of
its whole days beyond (kept as hours), so a series has at most a few hundred
buckets a year however many rows of history it summarises. Percentiles
interpolate linearly between ranks, like PostgreSQL's percentile_cont, over
the buckets' lower bounds: exact to the hour below for the first month, to the
day below after that.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F

from core.models import DurationTally

EXACT_HOURS = 30 * 24
SECONDS_PER_HOUR = 3600


def duration_bucket(seconds: float) -> int:
    """The bucket of a duration, in hours: whole hours up to EXACT_HOURS, whole days beyond; never negative."""
    hours = max(int(seconds // SECONDS_PER_HOUR), 0)
    return hours if hours < EXACT_HOURS else hours // 24 * 24


def duration_tally_add(*, series: str, key: int, seconds: float) -> None:
    """Count one duration, inside the caller's transaction (an increment, so concurrent writers add up)."""
    hours = duration_bucket(seconds)
    bucket = DurationTally.objects.filter(series=series, key=key, hours=hours)
    if bucket.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            DurationTally.objects.create(series=series, key=key, hours=hours, count=1)
    except IntegrityError:
        # Another transaction made the bucket first: add to it.
        bucket.update(count=F("count") + 1)


def duration_tally_replace(*, series: str, durations: Iterable[tuple[int, float]]) -> int:
    """Rebuild a series from (key, seconds) pairs, as a backfill does; returns how many durations it counted."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    total = 0
    for key, seconds in durations:
        counts[(key, duration_bucket(seconds))] += 1
        total += 1
    with transaction.atomic():
        DurationTally.objects.filter(series=series).delete()
        DurationTally.objects.bulk_create(
            DurationTally(series=series, key=key, hours=hours, count=n) for (key, hours), n in counts.items()
        )
    return total


def duration_tally_read(series: str) -> dict[int, dict[int, int]]:
    """{key: {hours: count}} of a series, in one query."""
    out: dict[int, dict[int, int]] = defaultdict(dict)
    rows = DurationTally.objects.filter(series=series, count__gt=0).values_list("key", "hours", "count")
    for key, hours, count in rows:
        out[key][hours] = count
    return out


def counted_percentile(counts: dict[float, int], q: float) -> float | None:
    """The q-th quantile (0..1) of values given as {value: how many}, interpolating like percentile_cont."""
    total = sum(counts.values())
    if total == 0:
        return None
    rank = (total - 1) * q
    low, high = math.floor(rank), math.ceil(rank)
    ordered = sorted(counts.items())

    def at(position: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]

    low_value = at(low)
    if low == high:
        return low_value
    return low_value + (at(high) - low_value) * (rank - low)
