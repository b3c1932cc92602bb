"""The demo's monitoring and incident: seeded once, with a breach and a running Art. 73 clock."""

import pytest

from governance.models import Finding, Incident, Observation
from governance.monitoring_demo import demo_monitoring_seed
from lifecycle.models import EvaluationMetric
from tests import factories

pytestmark = pytest.mark.django_db


def test_seeded_once_with_a_breach_and_a_clock(erin):
    credit = factories.UseCaseFactory(slug="credit-scoring", technical_owner=erin)
    version = factories.ModelVersionFactory(use_case=credit)
    factories.EvaluationMetricFactory(
        version=version, name="population_stability_index", value=0.05, threshold=0.1,
        direction=EvaluationMetric.Direction.AT_MOST,
    )  # fmt: skip
    notes = demo_monitoring_seed(users={"erin": erin}, use_cases={"credit-scoring": credit})
    assert notes == [
        "credit-scoring: 20 observations, 1 finding(s)",
        "credit-scoring: a serious incident with its Art. 73 clock running",
    ]
    assert (
        Finding.objects.get().title == f"population_stability_index breached its threshold on version {version.label}"
    )
    assert Incident.objects.get().report_pending is True
    assert demo_monitoring_seed(users={"erin": erin}, use_cases={"credit-scoring": credit}) == []
    assert Observation.objects.count() == 20


def test_without_the_credit_model_it_seeds_nothing(erin):
    assert demo_monitoring_seed(users={"erin": erin}, use_cases={}) == []
    assert not Observation.objects.exists()
