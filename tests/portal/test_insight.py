import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Stage
from portal import insight
from portal.filters import WaitingFilterSet
from signoff.models import RequestState
from tests import factories
from tests.portal.dashboard_data import request_make, review_make, stage_history

INSIGHT = "/insight/"
CSV = "/insight/inventory.csv"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class TestPercentile:
    @pytest.mark.parametrize(
        ("values", "q", "expected"),
        [
            ([], 0.5, None),
            ([7.0], 0.9, 7.0),
            ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
            ([4.0, 1.0, 3.0, 2.0], 0.9, 3.7),
            ([2.0, 10.0], 0.9, 9.2),
            ([1.0, 2.0, 3.0], 0.5, 2.0),
        ],
    )
    def test_it_interpolates_between_ranks_like_percentile_cont(self, values, q, expected):
        result = insight.percentile(values, q)
        assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.django_db
class TestFigures:
    def test_stage_counts_cover_every_stage(self, erin):
        factories.UseCaseFactory.create_batch(2, technical_owner=erin)
        moved = factories.UseCaseFactory(technical_owner=erin)
        stage_history(moved, erin, (0, 1, T0), (1, 2, T0 + DAY))

        counts = insight.stage_counts()

        assert counts == {0: 2, 1: 0, 2: 1, 3: 0, 4: 0, Stage.RETIRED: 0}
        bars = insight.funnel(counts)
        assert [(b.stage, b.count, b.width) for b in bars] == [
            (0, 2, 100.0),
            (1, 0, 0.0),
            (2, 1, 50.0),
            (3, 0, 0.0),
            (4, 0, 0.0),
        ]
        # Bars are centred in their half of the chart, the count just after the bar.
        assert (bars[0].bar_x, bars[0].bar_w, bars[0].count_x) == ("38.0%", "52.0%", "91.0%")
        assert (bars[2].bar_x, bars[2].bar_w, bars[2].count_x) == ("51.0%", "26.0%", "78.0%")

    def test_time_in_stage_comes_from_the_history_and_the_current_stay(self, erin):
        moved = factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)
        # Two days at stage 0, three at stage 1, then at stage 2 until now.
        stage_history(moved, erin, (0, 1, T0 + 2 * DAY), (1, 2, T0 + 5 * DAY))
        factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)

        durations = {d.stage: d.spread for d in insight.stage_durations(now=T0 + 10 * DAY)}

        # Stage 0: a completed 2-day stay and a 10-day stay still running.
        assert durations[0].count == 2
        assert durations[0].median_days == pytest.approx(6.0)
        assert durations[0].p90_days == pytest.approx(9.2)
        assert (durations[1].count, durations[1].median_days) == (1, pytest.approx(3.0))
        assert (durations[2].count, durations[2].median_days) == (1, pytest.approx(5.0))
        assert (durations[3].count, durations[3].median_days) == (0, None)

    def test_a_demotion_ends_a_stay_and_retirement_is_not_a_stage_to_wait_in(self, erin):
        use_case = factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)
        stage_history(use_case, erin, (0, 1, T0 + DAY), (1, 0, T0 + 4 * DAY), (0, 9, T0 + 6 * DAY))

        durations = {d.stage: d.spread for d in insight.stage_durations(now=T0 + 30 * DAY)}

        assert sorted(durations) == [0, 1, 2, 3, 4]
        assert durations[0].count == 2  # one day, then two more after the demotion
        assert durations[0].median_days == pytest.approx(1.5)
        assert durations[1].median_days == pytest.approx(3.0)

    def test_review_cycle_time_per_function(self, erin, rita, carl):
        hours = [24, 48, 72, 96]
        for h in hours:
            request = request_make(factories.UseCaseFactory(technical_owner=erin))
            review_make(request, "risk", created_at=T0, decided_by=rita, decided_at=T0 + timedelta(hours=h))
        request = request_make(factories.UseCaseFactory(technical_owner=erin))
        review_make(request, "compliance", created_at=T0, decided_by=carl, decided_at=T0 + timedelta(hours=12))
        review_make(request, "risk", created_at=T0)  # still open: not a cycle yet

        cycles = {c.function: c.spread for c in insight.review_cycle_times()}

        assert set(cycles) == {"Risk", "Compliance"}
        assert cycles["Risk"].count == 4
        assert cycles["Risk"].median_days == pytest.approx(2.5)
        assert cycles["Risk"].p90_days == pytest.approx(3.7)
        assert cycles["Compliance"].median_days == pytest.approx(0.5)

    def test_requests_waiting_are_open_ones_oldest_first(self, erin):
        newest = request_make(factories.UseCaseFactory(technical_owner=erin), submitted_at=T0 + 3 * DAY)
        oldest = request_make(factories.UseCaseFactory(technical_owner=erin), submitted_at=T0)
        resubmitted = request_make(
            factories.UseCaseFactory(technical_owner=erin), state=RequestState.RESUBMITTED, submitted_at=T0 + DAY
        )
        request_make(factories.UseCaseFactory(technical_owner=erin), state=RequestState.DRAFT)
        request_make(factories.UseCaseFactory(technical_owner=erin), state=RequestState.APPROVED, submitted_at=T0)

        waiting = insight.requests_waiting()

        def sorted_by(key: str) -> list:
            return list(WaitingFilterSet(QueryDict(f"sort={key}"), queryset=waiting).qs)

        assert list(waiting) == [oldest, resubmitted, newest]
        assert sorted_by("-waiting") == [newest, resubmitted, oldest]
        assert sorted_by("no-such-sort") == [oldest, resubmitted, newest]


@pytest.mark.django_db
class TestInsightPage:
    @time_machine.travel(T0 + 10 * DAY, tick=False)
    def test_it_draws_the_funnel_and_the_tables(self, client, audrey, erin, rita):
        factories.UseCaseFactory(technical_owner=erin, created_at=T0, stage_entered_at=T0)
        request = request_make(factories.UseCaseFactory(technical_owner=erin), submitted_at=T0 + DAY)
        review_make(request, "risk", created_at=T0, decided_by=rita, decided_at=T0 + DAY)
        client.force_login(audrey)

        response = client.get(INSIGHT)

        body = response.content.decode()
        assert response.status_code == 200
        assert "<svg" in body and 'class="funnel-rect"' in body
        assert "0 · Proposed: 2." in body
        assert " style=" not in body, "the CSP forbids inline style attributes"
        assert reverse("signoff:request-detail", args=[request.pk]) in body
        assert "Risk" in body and "1.0 d" in body
        assert reverse("portal:inventory-csv") in body
        assert 'aria-current="page">Portfolio insight' in body

    def test_the_waiting_table_pages_and_sorts(self, client, erin):
        for n in range(25):
            request_make(factories.UseCaseFactory(technical_owner=erin), submitted_at=T0 + n * DAY)
        client.force_login(erin)

        first = client.get(INSIGHT)
        second = client.get(INSIGHT, {"page": 2, "sort": "-waiting"})
        partial = client.get(INSIGHT, {"sort": "stage"}, headers={"HX-Request": "true", "HX-Target": "waiting"})
        junk = client.get(INSIGHT, {"page": "x';--", "sort": "<script>"})

        # Longest waiting first, twenty a page; "-waiting" turns it round, so page 2 holds the five newest.
        assert [r.submitted_at for r in first.context["page_obj"]] == [T0 + n * DAY for n in range(20)]
        assert [r.submitted_at for r in second.context["page_obj"]] == [T0 + n * DAY for n in (4, 3, 2, 1, 0)]
        assert "?page=1&amp;sort=-waiting" in second.content.decode()
        assert partial.status_code == 200 and "<html" not in partial.content.decode()
        # A page and a sort that make no sense: the first page in the default order.
        assert junk.status_code == 200
        assert list(junk.context["page_obj"]) == list(first.context["page_obj"])

    def test_it_is_for_role_holders(self, client, nobody):
        client.force_login(nobody)
        response = client.get(INSIGHT)
        assert response.status_code == 403
        assert "holds no role" in response.content.decode()

    def test_it_is_in_the_navigation(self, client, erin):
        client.force_login(erin)
        body = client.get("/").content.decode()
        assert f'href="{INSIGHT}"' in body

    @pytest.mark.parametrize("count", [3, 40])
    def test_its_query_count_does_not_grow_with_the_portfolio(
        self, client, erin, rita, audrey, django_assert_max_num_queries, count
    ):
        for n in range(count):
            use_case = factories.UseCaseFactory(technical_owner=erin, created_at=T0)
            stage_history(use_case, erin, (0, 1, T0 + DAY))
            request = request_make(use_case, submitted_at=T0 + n * DAY)
            review_make(request, "risk", created_at=T0, decided_by=rita, decided_at=T0 + DAY)
        client.force_login(audrey)
        # Two of them running governance's: findings not yet closed, and the time closed ones took.
        with django_assert_max_num_queries(13):
            assert client.get(INSIGHT).status_code == 200


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.django_db
class TestInventoryExport:
    def test_it_streams_every_use_case_with_its_registry_fields_and_is_audited(self, client, audrey, erin, rita):
        factories.UseCaseFactory(slug="b-bot", title="=HYPERLINK(evil)", technical_owner=erin, business_owner=rita)
        factories.UseCaseFactory(slug="a-bot", title="Ticket triage", technical_owner=erin, customer_facing=True)
        client.force_login(audrey)

        response = client.get(CSV)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert re.fullmatch(
            r'attachment; filename="stagegate-inventory-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
        )
        rows = read_csv(response)
        assert rows[0] == insight.INVENTORY_COLUMNS
        records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        assert [r["slug"] for r in records] == ["a-bot", "b-bot"]
        assert records[0]["customer_facing"] == "yes"
        assert records[0]["stage_label"] == "0 · Proposed"
        assert records[1]["technical_owner"] == "erin" and records[1]["business_owner"] == "rita"
        assert records[1]["title"] == "'=HYPERLINK(evil)", "a formula must not run in a spreadsheet"
        event = AuditEvent.objects.filter(verb=Verb.AUDIT_EXPORTED).get()
        assert event.actor == audrey
        assert event.changes == {"export": "inventory.csv", "rows": 2}

    def test_an_account_without_a_role_gets_nothing_and_nothing_is_recorded_as_exported(self, client, nobody, erin):
        factories.UseCaseFactory(technical_owner=erin)
        client.force_login(nobody)

        response = client.get(CSV)

        assert response.status_code == 403
        assert not AuditEvent.objects.filter(verb=Verb.AUDIT_EXPORTED).exists()

    @pytest.mark.parametrize("count", [2, 30])
    def test_its_query_count_does_not_grow_with_the_registry(
        self, client, erin, audrey, django_assert_max_num_queries, count
    ):
        factories.UseCaseFactory.create_batch(count, technical_owner=erin)
        client.force_login(audrey)
        with django_assert_max_num_queries(12):
            rows = read_csv(client.get(CSV))
        assert len(rows) == count + 1
