"""The gate evaluator on rows loaded at once (gates/data.py) answers exactly as it does querying one use case."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Finding
from governance.services import finding_raise
from governance.services.exceptions import exception_grant
from lifecycle.models import ArtifactKind, UseCase
from signoff import services
from signoff.gates import gate_data_for, gate_evaluate
from signoff.models import Decision
from tests import factories
from tests.signoff.helpers import answer_no, decide, put_at_stage, reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db


def portfolio(erin, rita) -> list[UseCase]:
    """Use cases the gate answers differently for: bare, ready, partly signed, with stale evidence or a 'no'."""
    bare = factories.UseCaseFactory(technical_owner=erin)
    ready = factories.UseCaseFactory(technical_owner=erin)
    supply_evidence(ready, 1)
    sandboxed = put_at_stage(factories.UseCaseFactory(technical_owner=erin), 1)
    supply_evidence(sandboxed, 2)
    stale = put_at_stage(factories.UseCaseFactory(technical_owner=erin), 1)
    supply_evidence(stale, 2)
    factories.ModelVersionFactory(use_case=stale, label="9.9.9")  # the evaluation report is now for another version
    unwaived = put_at_stage(factories.UseCaseFactory(technical_owner=erin), 1)
    supply_evidence(unwaived, 2)
    factories.ModelVersionFactory(use_case=unwaived, label="9.9.9")
    guarded = put_at_stage(factories.UseCaseFactory(technical_owner=erin), 2)
    supply_evidence(guarded, 3)
    answer_no(guarded, "named_owner")
    factories.ArtifactFactory(use_case=guarded, kind=ArtifactKind.OTHER)
    # Governance's registrations: a blocking finding, and an exception waiving the stale evaluation.
    finding_raise(
        use_case=ready,
        actor=rita,
        source=Finding.Source.VALIDATION,
        severity="high",
        title="Calibration drifts",
        description="See the validation report.",
        due_date=timezone.localdate() + timedelta(days=30),
    )
    exception_grant(
        use_case=stale,
        actor=rita,
        requirement_key="evidence.evaluation_report",
        reason="The new version changes only the prompt's wording.",
        compensating_controls="Daily sampling of answers by the team.",
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return [UseCase.objects.get(pk=u.pk) for u in (bare, ready, sandboxed, stale, unwaived, guarded)]


def evaluations(use_cases, data=None):
    kwargs = {"data": data} if data is not None else {}
    return [
        [
            (r.key, r.met, r.detail, r.waived)
            for r in gate_evaluate(use_case=u, target_stage=u.stage + 1, **kwargs).requirements
        ]
        for u in use_cases
    ]


def test_loaded_and_live_answers_are_the_same(erin, rita, cora, in_review):
    use_cases = [*portfolio(erin, rita), UseCase.objects.get(pk=in_review.use_case_id)]
    reviews = reviews_by_function(in_review)
    decide(reviews["risk"], rita, Decision.APPROVE)
    services.review_claim(review=reviews["compliance"], actor=cora)

    live = evaluations(use_cases)
    loaded = evaluations(use_cases, gate_data_for(use_cases, target_stages={u.stage + 1 for u in use_cases}))

    assert loaded == live
    assert any("assigned to" in detail for answer in live for _, _, detail, _ in answer)
    assert any(key == "governance.findings_closed" for answer in live for key, *_ in answer)
    assert any(waived for answer in live for *_, waived in answer)
    # The portfolio covers met and unmet requirements of every kind the evaluator reads.
    keys = {(key.split(".")[0], met) for answer in live for key, met, *_ in answer}
    assert {
        ("evidence", True),
        ("evidence", False),
        ("readiness", False),
        ("signoff", True),
        ("signoff", False),
    } <= keys


def test_loading_costs_the_same_queries_for_six_use_cases_as_for_eighteen(erin, rita):
    six = portfolio(erin, rita)
    eighteen = six + portfolio(erin, rita) + portfolio(erin, rita)

    def queries(use_cases) -> int:
        with CaptureQueriesContext(connection) as captured:
            evaluations(use_cases, gate_data_for(use_cases, target_stages={u.stage + 1 for u in use_cases}))
        return len(captured)

    assert queries(six) == queries(eighteen)
