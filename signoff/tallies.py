"""Time from a review's creation to its decision, per function, counted as each decision is recorded.

`review_cycle_tally` runs in the deciding transaction (core/tallies.py keeps
the histogram), so the insight page never reads every decided review. Every
decision counts, including one a later resubmission made stale: the review
was done, and took that long. `review_cycles_rebuild` recounts from the reviews
(the backfill, and `manage.py tallies_rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import DurationField, ExpressionWrapper, F

from core.tallies import duration_tally_add, duration_tally_replace
from signoff.models import Review

REVIEW_CYCLE = "review_cycle"


def review_cycle_tally(*, review: Review) -> None:
    """Count the cycle of a review just decided, in the caller's transaction."""
    if review.decided_at is None:
        return
    duration_tally_add(
        series=REVIEW_CYCLE, key=review.function_id, seconds=(review.decided_at - review.created_at).total_seconds()
    )


def _recorded_cycles() -> Iterator[tuple[int, float]]:
    rows = (
        Review.objects.filter(decided_at__isnull=False, decided_by__isnull=False)
        .annotate(cycle=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField()))
        .values_list("function_id", "cycle")
        .order_by()
    )
    for function_id, cycle in rows.iterator(chunk_size=5000):
        yield function_id, cycle.total_seconds() if cycle is not None else 0.0


def review_cycles_rebuild() -> int:
    """Recount every decision's cycle from the reviews; returns how many."""
    return duration_tally_replace(series=REVIEW_CYCLE, durations=_recorded_cycles())
