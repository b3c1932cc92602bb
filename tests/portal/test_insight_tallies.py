"""The histograms insight reads: kept by the services as history is written, equal to a recount from history."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import DurationTally
from core.tallies import EXACT_HOURS, counted_percentile, duration_bucket
from lifecycle import services as lifecycle_services
from lifecycle.models import Stage
from lifecycle.tallies import STAGE_STAY, stage_stays_rebuild
from portal import insight
from signoff.tallies import REVIEW_CYCLE, review_cycles_rebuild
from tests import factories
from tests.portal.dashboard_data import request_make, review_make, stage_history
from tests.signoff.helpers import decide, reviews_by_function, submitted_request, supply_evidence

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def tally(series: str) -> dict[tuple[int, int], int]:
    return {(t.key, t.hours): t.count for t in DurationTally.objects.filter(series=series, count__gt=0)}


class TestBuckets:
    @pytest.mark.parametrize(
        ("seconds", "hours"),
        [(-5, 0), (0, 0), (3599, 0), (3600, 1), (49 * 3600 + 59, 49), (EXACT_HOURS * 3600 - 1, EXACT_HOURS - 1)],
    )
    def test_the_first_month_counts_to_the_hour(self, seconds, hours):
        assert duration_bucket(seconds) == hours

    def test_beyond_it_a_duration_counts_to_the_day_below(self):
        assert duration_bucket(EXACT_HOURS * 3600) == EXACT_HOURS
        assert duration_bucket((45 * 24 + 23) * 3600) == 45 * 24

    @pytest.mark.parametrize(
        ("counts", "q", "expected"),
        [
            ({}, 0.5, None),
            ({7.0: 1}, 0.9, 7.0),
            ({1.0: 1, 2.0: 1, 3.0: 1, 4.0: 1}, 0.5, 2.5),
            ({1.0: 1, 2.0: 1, 3.0: 1, 4.0: 1}, 0.9, 3.7),
            ({2.0: 1, 10.0: 1}, 0.9, 9.2),
            ({1.0: 2, 5.0: 1}, 0.5, 1.0),
            ({1.0: 3, 5.0: 1}, 0.5, 1.0),
            ({1.0: 1, 5.0: 3}, 0.5, 5.0),
            ({1.0: 2, 5.0: 2}, 0.5, 3.0),
        ],
    )
    def test_percentiles_of_counted_values_match_the_expanded_list(self, counts, q, expected):
        values = [v for v, n in counts.items() for _ in range(n)]
        assert counted_percentile(counts, q) == insight.percentile(values, q)
        assert counted_percentile(counts, q) == (None if expected is None else pytest.approx(expected))


@pytest.mark.django_db
class TestKeptAsHistoryIsWritten:
    def test_promotion_and_demotion_count_the_stay_they_end(self, erin):
        with time_machine.travel(T0, tick=False):
            use_case = factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)
            supply_evidence(use_case, 1)
        with time_machine.travel(T0 + 2 * DAY + 5 * HOUR, tick=False):
            submitted_request(use_case, erin, 1)  # approved on submission: promoted to stage 1
        use_case.refresh_from_db()
        assert use_case.stage == Stage.SANDBOX
        with time_machine.travel(T0 + 40 * DAY + 7 * HOUR, tick=False):
            lifecycle_services.use_case_demote(use_case=use_case, actor=erin, to_stage=0, reason="Incident 7.")

        assert tally(STAGE_STAY) == {(0, 53): 1, (1, 38 * 24): 1}
        kept = tally(STAGE_STAY)
        assert stage_stays_rebuild() == 2
        assert tally(STAGE_STAY) == kept

    def test_a_decision_counts_its_review_cycle(self, in_review, rita, carl):
        reviews = reviews_by_function(in_review)
        with time_machine.travel(reviews["risk"].created_at + 30 * HOUR, tick=False):
            decide(reviews["risk"], rita)
        with time_machine.travel(reviews["compliance"].created_at + 3 * HOUR, tick=False):
            decide(reviews["compliance"], carl)

        kept = tally(REVIEW_CYCLE)
        assert kept == {(reviews["risk"].function_id, 30): 1, (reviews["compliance"].function_id, 3): 1}
        assert review_cycles_rebuild() == 2
        assert tally(REVIEW_CYCLE) == kept

    def test_the_rebuild_command_recounts_history_written_around_the_services(self, erin, rita):
        use_case = factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)
        stage_history(use_case, erin, (0, 1, T0 + DAY), (1, 2, T0 + 3 * DAY))
        review_make(request_make(use_case), "risk", created_at=T0, decided_by=rita, decided_at=T0 + 5 * HOUR)
        kept = (tally(STAGE_STAY), tally(REVIEW_CYCLE))
        DurationTally.objects.all().delete()

        out = io.StringIO()
        call_command("tallies_rebuild", stdout=out)

        assert (tally(STAGE_STAY), tally(REVIEW_CYCLE)) == kept
        assert kept[0] == {(0, 24): 1, (1, 48): 1}
        assert out.getvalue() == "Counted 2 completed stays in a stage and 1 review decisions.\n"


@pytest.mark.django_db
def test_the_insight_page_costs_the_same_queries_at_three_use_cases_as_at_forty(client, erin, rita, audrey):
    def grow(n: int) -> None:
        for i in range(n):
            use_case = factories.UseCaseFactory(technical_owner=erin, created_at=T0)
            stage_history(use_case, erin, (0, 1, T0 + DAY + i * HOUR))
            request = request_make(use_case, submitted_at=T0 + i * HOUR)
            review_make(request, "risk", created_at=T0, decided_by=rita, decided_at=T0 + (i + 1) * HOUR)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/insight/").status_code == 200
        return len(captured)

    client.force_login(audrey)
    grow(3)
    three = queries()
    grow(37)
    assert queries() == three
