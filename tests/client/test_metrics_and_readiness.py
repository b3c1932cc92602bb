"""`stagegate metrics push` and `stagegate readiness answer`: endpoints of docs/pipeline-api.md still to come.

Written as they will pass once the portal serves them, and marked xfail (strict) until then.
"""

from lifecycle.models import ReadinessAnswer
from tests import factories
from tests.client.conftest import AWAITS_SERVER, live


@live
@AWAITS_SERVER
def test_metrics_push_records_observations_of_a_version(portal, use_case):
    factories.ModelVersionFactory(use_case=use_case, label="1.0")
    run = portal.run(
        "metrics", "push", use_case.slug, "--version", "1.0",
        "--metric", "latency_p95=812", "--metric", "escalation_rate=0.04",
        "--window-start", "2026-11-02T10:00:00Z", "--window-end", "2026-11-02T11:00:00Z", "--source", "prometheus",
    )  # fmt: skip
    assert run.code == 0, run.said
    assert run.out == f"Recorded 2 observations of {use_case.slug} version 1.0.\n"


@live
@AWAITS_SERVER
def test_readiness_answers_are_recorded_with_their_notes(portal, use_case, erin):
    run = portal.run(
        "readiness", "answer", use_case.slug,
        "--answer", "business_kpi=yes", "--note", "business_kpi=Handling time down 20%",
        "--answer", "named_owner=no",
    )  # fmt: skip
    assert run.code == 0, run.said
    answers = {a.question: (a.answer, a.note, a.answered_by) for a in ReadinessAnswer.objects.filter(use_case=use_case)}
    assert answers == {"business_kpi": (True, "Handling time down 20%", erin), "named_owner": (False, "", erin)}
