"""The use case's page draws each monitored metric against its threshold; the observations page lists them all."""

import datetime

import pytest
from django.urls import reverse

from governance.charts import metric_chart
from governance.services import ObservationSpec, observations_record
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def monitored(use_case, erin):
    """Five hourly values of faithfulness against 0.9, the fourth a breach; one of a metric without a threshold."""
    version = factories.ModelVersionFactory(use_case=use_case, label="1.0")
    factories.EvaluationMetricFactory(version=version, name="faithfulness", value=0.93, threshold=0.9)
    values = [0.95, 0.94, 0.92, 0.85, 0.93]
    observations_record(
        version=version,
        actor=erin,
        observations=[
            *[
                ObservationSpec("faithfulness", v, window_end=START + datetime.timedelta(hours=i), source="prom")
                for i, v in enumerate(values)
            ],
            ObservationSpec("latency_p95", 812, window_end=START),
        ],
    )
    return use_case


def test_the_use_case_page_draws_each_metric_with_words_and_a_table(client, monitored, audrey):
    client.force_login(audrey)
    html = client.get(monitored.get_absolute_url()).content.decode()
    assert '<h2 id="monitoring">Monitoring</h2>' in html
    assert html.count('role="img"') == 2
    assert (
        "faithfulness: 5 observations from 2026-11-02 00:00 to 2026-11-02 04:00; latest 0.93 against a threshold "
        "of 0.9; 1 breached the threshold."
    ) in html
    assert "latency_p95: 1 observation from 2026-11-02 00:00 to 2026-11-02 00:00; latest 812; none breached" in html
    # One square per breach, one circle per other value; the threshold drawn as a dashed line.
    assert html.count('class="metric-breach"') == 1
    assert html.count('class="metric-point"') == 5
    assert html.count('class="metric-threshold"') == 1
    assert "faithfulness: the values as a table" in html


def test_the_geometry_puts_time_across_and_the_threshold_between_the_values(monitored):
    from governance.models import Observation

    chart = metric_chart("faithfulness", list(Observation.objects.filter(metric="faithfulness").order_by("window_end")))
    xs = [p.x for p in chart.points]
    assert xs[0] == 64 and xs[-1] == 624 and xs == sorted(xs)
    breach = chart.points[3]
    assert breach.observation.breach and breach.y == max(p.y for p in chart.points)  # lowest value, lowest mark
    threshold_y = float(chart.threshold_line.split()[2])
    assert all(p.y < threshold_y for p in chart.points if not p.observation.breach)
    assert breach.y > threshold_y


def test_a_use_case_without_observations_has_no_monitoring_section(client, use_case, erin):
    client.force_login(erin)
    assert 'id="monitoring"' not in client.get(use_case.get_absolute_url()).content.decode()


def test_the_observations_page_lists_and_filters(client, monitored, ravi):
    client.force_login(ravi)
    url = reverse("governance:observation-list", args=[monitored.slug])
    html = client.get(url).content.decode()
    assert "6 observations" in html
    assert ">finding " in html
    filtered = client.get(url, {"breach": "true"}).content.decode()
    assert "1 observation<" in filtered
    assert client.get(url, {"metric": "nothing"}).content.decode().count("No observations match these filters") == 1


def test_someone_without_a_role_gets_a_404(client, monitored, nobody):
    client.force_login(nobody)
    assert client.get(reverse("governance:observation-list", args=[monitored.slug])).status_code == 404
