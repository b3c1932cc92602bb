"""Monitoring results: each observed value checked against its threshold; a breach opens a finding, may suspend."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding, Observation, Suspension
from governance.services import ObservationSpec, observations_record
from lifecycle.models import EvaluationMetric
from signoff import services
from signoff.models import GatePolicy
from tests import factories
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db

WINDOW_END = datetime.datetime(2026, 11, 2, 11, 0, tzinfo=datetime.UTC)


@pytest.fixture
def running(use_case, erin):
    """erin's use case approved and running at stage 1, its version with a plain and a critical threshold."""
    version = factories.ModelVersionFactory(use_case=use_case, label="1.0")
    factories.EvaluationMetricFactory(version=version, name="faithfulness", value=0.93, threshold=0.9)
    factories.EvaluationMetricFactory(
        version=version,
        name="complaint_rate",
        value=0.01,
        threshold=0.05,
        direction=EvaluationMetric.Direction.AT_MOST,
        critical=True,
    )
    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
    )
    use_case.refresh_from_db()
    return use_case


def spec(metric: str, value: float, **more) -> ObservationSpec:
    return ObservationSpec(metric=metric, value=value, window_end=more.pop("window_end", WINDOW_END), **more)


def test_observations_within_their_thresholds_are_recorded_and_audited(running, erin):
    version = running.versions.get(label="1.0")
    recorded = observations_record(
        version=version,
        actor=erin,
        observations=[spec("faithfulness", 0.95, source="prometheus"), spec("latency_p95", 812)],
    )
    rows = list(Observation.objects.values_list("metric", "value", "threshold", "breach", "source", "finding"))
    assert rows == [
        ("faithfulness", 0.95, 0.9, False, "prometheus", None),
        ("latency_p95", 812.0, None, False, "", None),
    ]
    assert (recorded.findings_opened, recorded.suspension) == ([], None)
    event = AuditEvent.objects.get(verb=Verb.OBSERVATIONS_RECORDED)
    assert (event.actor_id, event.use_case_id, event.changes) == (
        erin.pk,
        running.pk,
        {
            "version": "1.0",
            "count": 2,
            "metrics": ["faithfulness", "latency_p95"],
            "breached": [],
            "findings_opened": [],
        },
    )


def test_a_breach_opens_one_finding_per_metric_however_many_observations_breach(running, erin):
    version = running.versions.get(label="1.0")
    first = observations_record(
        version=version, actor=erin, observations=[spec("faithfulness", 0.8), spec("faithfulness", 0.7)]
    )
    [finding] = first.findings_opened
    assert (finding.source, finding.severity, finding.owner, finding.version) == ("monitoring", "medium", erin, version)
    assert finding.title == "faithfulness breached its threshold on version 1.0"
    assert finding.description.startswith("Observed 0.8 over the window ending 2026-11-02 11:00")
    assert finding.description.endswith("the threshold is at least 0.9.")

    again = observations_record(version=version, actor=erin, observations=[spec("faithfulness", 0.6)])
    assert again.findings_opened == []
    assert list(Observation.objects.filter(breach=True).values_list("finding", flat=True)) == [finding.pk] * 3
    assert Finding.objects.count() == 1
    # A plain threshold never suspends.
    assert not Suspension.objects.exists()


def test_once_the_finding_is_closed_a_new_breach_opens_another(running, erin):
    version = running.versions.get(label="1.0")
    [finding] = observations_record(
        version=version, actor=erin, observations=[spec("faithfulness", 0.8)]
    ).findings_opened
    Finding.objects.filter(pk=finding.pk).update(state=Finding.State.CLOSED)
    [second] = observations_record(
        version=version, actor=erin, observations=[spec("faithfulness", 0.8)]
    ).findings_opened
    assert second.pk != finding.pk


def test_a_critical_breach_suspends_where_the_policy_says_so(running, erin):
    version = running.versions.get(label="1.0")
    recorded = observations_record(
        version=version, actor=erin, observations=[spec("complaint_rate", 0.09, source="complaints-db")]
    )
    [finding] = recorded.findings_opened
    assert (finding.severity, finding.due_date) == ("critical", timezone.localdate() + datetime.timedelta(days=7))
    suspension = recorded.suspension
    assert suspension is not None
    assert (suspension.suspended_by, suspension.cause) == (None, "monitoring: complaint_rate")
    assert suspension.reason.startswith("Critical threshold breached on version 1.0: complaint_rate. Observed 0.09")
    assert list(AuditEvent.objects.order_by("seq").values_list("verb", flat=True))[-3:] == [
        Verb.FINDING_RAISED,
        Verb.OBSERVATIONS_RECORDED,
        Verb.USE_CASE_SUSPENDED,
    ]
    # A second critical breach while suspended neither fails nor suspends twice.
    again = observations_record(version=version, actor=erin, observations=[spec("complaint_rate", 0.2)])
    assert (again.suspension, again.findings_opened, Suspension.objects.count()) == (None, [], 1)


def test_a_critical_breach_does_not_suspend_where_the_policy_says_not(running, erin):
    GatePolicy.objects.filter(target_stage=1).update(suspend_on_critical_breach=False)
    version = running.versions.get(label="1.0")
    recorded = observations_record(version=version, actor=erin, observations=[spec("complaint_rate", 0.09)])
    assert recorded.suspension is None
    assert [f.severity for f in recorded.findings_opened] == ["critical"]
    assert not Suspension.objects.exists()


@pytest.mark.parametrize(
    ("observations", "errors"),
    [
        ([], {"observations": ["Send at least one observation."]}),
        ([spec(" ", 1)], {"observations": ["Observation 1: the metric needs a name of at most 100 characters."]}),
        (
            [spec("a", 1), spec("b", float("nan"))],
            {"observations": ["Observation 2: the value must be a finite number."]},
        ),
        (
            [spec("a", 1, window_start=WINDOW_END + datetime.timedelta(hours=1))],
            {"observations": ["Observation 1: the window ends before it starts."]},
        ),
    ],
)
def test_bad_observations_are_refused_naming_which_and_nothing_is_recorded(running, erin, observations, errors):
    version = running.versions.get(label="1.0")
    with pytest.raises(ValidationError) as caught:
        observations_record(version=version, actor=erin, observations=observations)
    assert caught.value.message_dict == errors
    assert not Observation.objects.exists()
    assert not AuditEvent.objects.filter(verb=Verb.OBSERVATIONS_RECORDED).exists()


@pytest.mark.parametrize("who", ["eric", "rita", "audrey"])
def test_only_owners_and_administrators_record_observations(request, running, who):
    version = running.versions.get(label="1.0")
    with pytest.raises(PermissionDenied):
        observations_record(
            version=version, actor=request.getfixturevalue(who), observations=[spec("faithfulness", 0.1)]
        )
    assert not Observation.objects.exists()
    assert not Finding.objects.exists()
    assert not Suspension.objects.exists()
