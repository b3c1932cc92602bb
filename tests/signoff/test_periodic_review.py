"""The periodic review: frequency from materiality, a same-stage request with its own evidence that renews the
stage and its due date, reminders before it falls due, and a run gate that denies once it is overdue past its
grace."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Artifact, ArtifactKind, InternalTier, Stage, Tier, UseCase
from notifications.models import Notification
from signoff import services
from signoff.gates import gate_evaluate, gate_run
from signoff.models import RunningPolicy
from signoff.periodic import add_months, review_due_after
from signoff.reminders import reviews_sweep_due
from tests import factories
from tests.signoff.helpers import decide, reviews_by_function

pytestmark = pytest.mark.django_db
START = date(2027, 1, 4)  # a Monday


@pytest.mark.parametrize(
    "eu, internal, due",
    [
        (Tier.HIGH, InternalTier.UNSET, date(2028, 1, 4)),
        (Tier.MINIMAL, InternalTier.HIGH, date(2028, 1, 4)),  # high materiality, whatever the EU tier
        (Tier.LIMITED, InternalTier.LOW, date(2029, 1, 4)),
        (Tier.MINIMAL, InternalTier.MEDIUM, date(2029, 1, 4)),
        (Tier.MINIMAL, InternalTier.LOW, date(2030, 1, 4)),
        (Tier.OUT_OF_SCOPE, InternalTier.UNSET, date(2030, 1, 4)),
    ],
)
def test_the_frequency_follows_the_more_demanding_tier(erin, eu, internal, due):
    use_case = factories.UseCaseFactory(technical_owner=erin, risk_tier=eu, internal_tier=internal)
    assert review_due_after(use_case=use_case, start=START) == due


def test_the_frequency_is_policy_data(erin):
    RunningPolicy.objects.create(pk=1, review_months_high=6)
    use_case = factories.UseCaseFactory(technical_owner=erin, risk_tier=Tier.HIGH)
    assert review_due_after(use_case=use_case, start=START) == date(2027, 7, 5)  # 4 July is a Sunday


def test_months_end_on_the_last_day_of_a_short_month():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def _upload(use_case: UseCase, kind: str, **extra) -> Artifact:
    Artifact.objects.filter(use_case=use_case, kind=kind, is_current=True).update(is_current=False)
    return factories.ArtifactFactory(use_case=use_case, kind=kind, **extra)


def _approve_all(request, leads):
    for function, review in reviews_by_function(request).items():
        decide(review, leads[function])
    request.refresh_from_db()
    return request


@pytest.fixture
def leads(rita, carl, lena):
    return {"risk": rita, "compliance": carl, "legal": lena}


@pytest.fixture
def in_production(in_review, leads):
    """The high-risk credit use case approved at stage 3 on START."""
    with time_machine.travel(START, tick=False):
        _approve_all(in_review, leads)
    use_case = UseCase.objects.get(pk=in_review.use_case_id)
    assert use_case.stage == Stage.GUARDED
    return use_case


def test_a_yearly_review_cycle_renews_the_date(in_production, erin, bob, leads, settings):
    use_case = in_production
    assert use_case.revalidation_due == date(2028, 1, 4)
    settings.REMINDER_DAYS_BEFORE_DUE = 2

    # Reminded before it falls due.
    with time_machine.travel(date(2028, 1, 3), tick=False):
        reviews_sweep_due(today=date(2028, 1, 3))
    titles = list(Notification.objects.filter(user=erin, kind="reminder").values_list("title", flat=True))
    assert titles == ["Reminder: Periodic review of “Credit scoring assistant” is due Tue 04 Jan 2028"]

    # Within the grace the pipeline may still run it; past the grace it may not.
    with time_machine.travel(date(2028, 1, 20), tick=False):
        answer = gate_run(use_case=use_case, stage=3)
        assert answer.allowed
    with time_machine.travel(date(2028, 2, 4), tick=False):
        answer = gate_run(use_case=use_case, stage=3)
        assert not answer.allowed
        assert [r.key for r in answer.result.unmet] == ["revalidation.current"]

        # The review is a request at the stage it is at, with its own evidence, new since the last approval.
        request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
        with pytest.raises(ValidationError) as refused:
            services.readiness_request_submit(request=request, actor=erin)
        assert "Periodic review: missing monitoring summary since the last review." in refused.value.messages
        assert any("evaluation report predates the last approval" in m for m in refused.value.messages)
        _upload(use_case, ArtifactKind.EVALUATION_REPORT, version=use_case.current_version)
        _upload(use_case, ArtifactKind.MONITORING_SUMMARY)
        _upload(use_case, ArtifactKind.INCIDENT_REVIEW)
        request = services.readiness_request_submit(request=request, actor=erin)
        assert set(reviews_by_function(request)) == {"risk", "compliance", "legal"}
        request = _approve_all(request, leads)

    assert request.state == "approved"
    use_case.refresh_from_db()
    assert use_case.stage == Stage.GUARDED
    assert use_case.revalidation_due == date(2029, 2, 5)  # 4 Feb 2029 is a Sunday
    approved = AuditEvent.objects.filter(verb=Verb.REQUEST_APPROVED, request_id=request.pk).get()
    assert approved.changes["revalidation_due"] == ["2028-01-04", "2029-02-05"]
    with time_machine.travel(date(2028, 2, 4), tick=False):
        assert gate_run(use_case=use_case, stage=3).allowed


def test_a_promotion_asks_for_no_review_evidence(credit):
    keys = {r.key for r in gate_evaluate(use_case=credit, target_stage=3).requirements}
    assert not any(k.startswith("review.") for k in keys)


def test_high_internal_materiality_is_reviewed_though_the_eu_tier_is_minimal(credit, erin, leads):
    UseCase.objects.filter(pk=credit.pk).update(risk_tier=Tier.MINIMAL, internal_tier=InternalTier.HIGH)
    with time_machine.travel(START, tick=False):
        request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
        _approve_all(services.readiness_request_submit(request=request, actor=erin), leads)
    assert UseCase.objects.get(pk=credit.pk).revalidation_due == date(2028, 1, 4)


def test_a_medium_use_case_past_its_date_is_reminded(erin):
    use_case = factories.UseCaseFactory(technical_owner=erin, risk_tier=Tier.LIMITED)
    UseCase.objects.filter(pk=use_case.pk).update(stage=Stage.SCALE, revalidation_due=date(2027, 3, 1))
    reviews_sweep_due(today=date(2027, 3, 1))
    assert Notification.objects.filter(user=erin, title__contains="Periodic review").count() == 1


def test_the_grace_is_policy_data(in_production):
    RunningPolicy.objects.create(pk=1, review_grace_days=0)
    with time_machine.travel(date(2028, 1, 5), tick=False):
        assert not gate_run(use_case=in_production, stage=3).allowed
