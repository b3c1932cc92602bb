"""`stagegate metrics push` and `stagegate readiness answer`."""

from governance.models import Observation
from lifecycle.models import EvaluationMetric, ReadinessAnswer
from tests import factories
from tests.client.conftest import live


@live
def test_metrics_push_records_observations_of_a_version(portal, use_case):
    factories.ModelVersionFactory(use_case=use_case, label="1.0")
    run = portal.run(
        "metrics", "push", use_case.slug, "--version", "1.0",
        "--metric", "latency_p95=812", "--metric", "escalation_rate=0.04",
        "--window-start", "2026-11-02T10:00:00Z", "--window-end", "2026-11-02T11:00:00Z", "--source", "prometheus",
    )  # fmt: skip
    assert run.code == 0, run.said
    assert run.out == f"Recorded 2 observations of {use_case.slug} version 1.0.\n"
    rows = Observation.objects.order_by("metric").values_list("metric", "value", "source", "window_start")
    assert [(m, v, s, w.isoformat()) for m, v, s, w in rows] == [
        ("escalation_rate", 0.04, "prometheus", "2026-11-02T10:00:00+00:00"),
        ("latency_p95", 812.0, "prometheus", "2026-11-02T10:00:00+00:00"),
    ]


@live
def test_metrics_push_says_what_a_critical_breach_did(portal, running):
    version = running.versions.get()
    factories.EvaluationMetricFactory(
        version=version,
        name="complaint_rate",
        value=0.01,
        threshold=0.05,
        direction=EvaluationMetric.Direction.AT_MOST,
        critical=True,
    )
    run = portal.run("metrics", "push", running.slug, "--version", version.label, "--metric", "complaint_rate=0.2")
    assert run.code == 0, run.said
    assert run.out == (
        f"Recorded 1 observation of {running.slug} version {version.label}.\n"
        "Breached a threshold: complaint_rate; a finding is open for each.\n"
        f"A critical threshold was breached: {running.slug} is suspended and its gate denies.\n"
    )
    gate = portal.run("gate", "check", running.slug, "--stage", "1")
    assert gate.code == 1, gate.said


@live
def test_readiness_answers_are_recorded_with_their_notes(portal, use_case, erin):
    run = portal.run(
        "readiness", "answer", use_case.slug,
        "--answer", "business_kpi=yes", "--note", "business_kpi=Handling time down 20%",
        "--answer", "named_owner=no", "--note", "named_owner=Still being appointed",
    )  # fmt: skip
    assert run.code == 0, run.said
    answers = {a.question: (a.answer, a.note, a.answered_by) for a in ReadinessAnswer.objects.filter(use_case=use_case)}
    assert answers == {
        "business_kpi": (True, "Handling time down 20%", erin),
        "named_owner": (False, "Still being appointed", erin),
    }


@live
def test_an_answer_without_a_note_is_refused_naming_the_question(portal, use_case):
    run = portal.run("readiness", "answer", use_case.slug, "--answer", "named_owner=no")
    assert run.code == 1
    assert run.err == (
        "stagegate: The portal refused this (HTTP 400): named_owner: "
        "Add a note or link an artifact that supports the answer.\n"
    )
    assert not ReadinessAnswer.objects.filter(use_case=use_case).exists()
