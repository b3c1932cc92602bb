"""Time spent in each stage, counted as each stay ends (core/tallies.py keeps the histogram).

A stay runs from the change that entered the stage (or the use case's
creation, for the first) to the change that leaves it. `stage_stay_tally` is
called in the transaction that records the change, so the insight page reads
the histogram and never the whole history; `stage_stays_rebuild` recounts it
from the history (the backfill, and `manage.py tallies_rebuild`).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import Coalesce, Lag

from core.tallies import duration_tally_add, duration_tally_replace
from lifecycle.models import StageChange

STAGE_STAY = "stage_stay"


def stage_stay_tally(*, change: StageChange) -> None:
    """Count the stay that `change` ends, in the caller's transaction."""
    entered = (
        StageChange.objects.filter(use_case_id=change.use_case_id)
        .filter(Q(created_at__lt=change.created_at) | Q(created_at=change.created_at, id__lt=change.pk))
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    ) or change.use_case.created_at
    duration_tally_add(series=STAGE_STAY, key=change.from_stage, seconds=(change.created_at - entered).total_seconds())


def _recorded_stays() -> Iterator[tuple[int, float]]:
    entered = Coalesce(
        Window(Lag("created_at"), partition_by=[F("use_case_id")], order_by=[F("created_at").asc(), F("id").asc()]),
        F("use_case__created_at"),
    )
    stays = (
        StageChange.objects.annotate(stay=ExpressionWrapper(F("created_at") - entered, output_field=DurationField()))
        .values_list("from_stage", "stay")
        .order_by()
    )
    for stage, stay in stays.iterator(chunk_size=5000):
        yield stage, stay.total_seconds() if stay is not None else 0.0


def stage_stays_rebuild() -> int:
    """Recount every completed stay from the stage changes; returns how many."""
    return duration_tally_replace(series=STAGE_STAY, durations=_recorded_stays())
