"""How a revision ends (signoff/services/approval.py).

Approved and promoted, or sent back to the submitter: changes asked for, or evidence that moved under review.
"""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle import hooks
from lifecycle.models import ArtifactKind, ReadinessQuestion, Stage, StageChange, Tier, UseCase
from signoff import services
from signoff.calendar import yearly_revalidation_due
from signoff.gates import gate_evaluate, gate_run
from signoff.models import Decision, RequestState, Review, ReviewState
from signoff.services import approval
from signoff.subscriptions import registry_changed
from tests import factories
from tests.signoff.helpers import (
    answer_no,
    audited,
    decide,
    high_risk_use_case,
    reviews_by_function,
    submitted_request,
    supply_evidence,
)

pytestmark = pytest.mark.django_db


# Approved ----------------------------------------------------------------------------


def test_stage_one_is_approved_on_submission(use_case, erin, django_capture_on_commit_callbacks):
    supply_evidence(use_case, 1)
    with django_capture_on_commit_callbacks() as callbacks:
        request = submitted_request(use_case, erin, 1)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert request.stage_change.to_stage == Stage.SANDBOX
    assert request.approval_gate_result["allowed"] is True
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.SANDBOX
    assert not Review.objects.exists()
    # The packet render is queued after commit, never inside the transaction, with the other two things
    # waiting for the commit: the registry's announcement of the stage change and the notifications' e-mail.
    assert len(callbacks) == 3
    assert [(cb.func, cb.args) for cb in callbacks if isinstance(cb, partial) and cb.func is not registry_changed] == [
        (approval._after_approval, (request.pk,))
    ]


def test_full_journey_to_stage_three(erin, bob, rita, carl, lena, ravi, cora, leo):
    use_case = high_risk_use_case(erin, bob, stage=2)
    factories.ModelVersionFactory(use_case=use_case)
    gate = gate_evaluate(use_case=use_case, target_stage=3)
    assert sorted(r.key for r in gate.unmet) == [
        "classification.final",
        "classification.present",
        "evaluation.thresholds",
        "evidence.communication_plan",
        "evidence.data_lineage",
        "evidence.evaluation_report",
        "evidence.observability_plan",
        "evidence.rollback_test",
        "obligation.dpia",
        "obligation.eu_registration",
        "readiness.business_kpi",
        "readiness.compliance_accounted",
        "readiness.controls_designed",
        "readiness.evaluation_rules",
        "readiness.named_owner",
        "readiness.representative_data",
        "readiness.workflow_integration",
        "signoff.compliance",
        "signoff.legal",
        "signoff.risk",
    ]

    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    with pytest.raises(ValidationError, match="No risk classification yet"):
        services.readiness_request_submit(request=request, actor=erin)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    request = services.readiness_request_submit(request=request, actor=erin)

    reviews = reviews_by_function(request)
    services.review_claim(review=reviews["risk"], actor=rita)
    decide(reviews["risk"], rita)
    decide(
        reviews["compliance"],
        carl,
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="Keep the DPIA current.",
        conditions=[services.ConditionInput("Refresh DPIA", erin, timezone.localdate() + timedelta(days=90))],
    )
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.CONTROLLED
    decide(reviews["legal"], lena)

    request.refresh_from_db()
    use_case.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert use_case.stage == Stage.GUARDED
    assert StageChange.objects.filter(use_case=use_case, kind=StageChange.Kind.PROMOTION).count() == 1
    assert request.stage_change.to_stage == Stage.GUARDED
    assert request.approval_gate_result["allowed"] is True
    assert use_case.revalidation_due == yearly_revalidation_due(timezone.localdate())
    assert use_case.current_version == request.version
    assert gate_run(use_case=use_case, stage=3).allowed


# Returned for changes ----------------------------------------------------------------


def test_request_changes_returns_it_and_resubmit_creates_new_reviews(in_review, erin, rita, carl, lena):
    reviews = reviews_by_function(in_review)
    decide(reviews["compliance"], carl)
    services.review_claim(review=reviews["legal"], actor=lena)
    decide(reviews["risk"], rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card.")
    in_review.refresh_from_db()
    revision_one = in_review.evidence_snapshot
    assert in_review.state == RequestState.CHANGES_REQUESTED
    assert Review.objects.get(pk=reviews["legal"].pk).state == ReviewState.STALE
    with pytest.raises(ValidationError, match="closed"):
        decide(reviews["legal"], lena)

    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    request = services.readiness_request_resubmit(request=in_review, actor=erin)
    assert request.state == RequestState.RESUBMITTED
    assert request.revision == 2
    assert set(Review.objects.filter(revision=1).values_list("state", flat=True)) == {ReviewState.STALE}
    new = reviews_by_function(request)
    assert set(new) == {"risk", "compliance", "legal"}
    # Reviewers of the last revision get it back, and see what changed since they looked.
    assert new["risk"].assignee == rita
    assert new["compliance"].assignee == carl
    assert new["risk"].last_viewed_snapshot == revision_one != request.evidence_snapshot
    # The stale decision keeps who gave it, for the record.
    assert Review.objects.get(pk=reviews["compliance"].pk).decided_by == carl


def test_approving_a_resubmitted_request_audits_the_state_it_left(in_review, erin, rita, carl, lena):
    risk = reviews_by_function(in_review)["risk"]
    decide(risk, rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card.")
    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    request = services.readiness_request_resubmit(request=in_review, actor=erin)
    for function, reviewer in reviews_by_function(request).items():
        decide(reviewer, {"risk": rita, "compliance": carl, "legal": lena}[function])
    approved = AuditEvent.objects.get(verb=Verb.REQUEST_APPROVED)
    assert approved.changes["state"] == [RequestState.RESUBMITTED, RequestState.APPROVED]


# Evidence changing under review ------------------------------------------------------


def test_new_artifact_returns_the_request_through_the_hook(in_review, erin, rita, django_capture_on_commit_callbacks):
    review = reviews_by_function(in_review)["risk"]
    decide(review, rita)
    old = in_review.use_case.artifacts.get(kind=ArtifactKind.ROLLBACK_TEST)
    old.is_current = False
    old.save()
    factories.ArtifactFactory(
        use_case=in_review.use_case, kind=ArtifactKind.ROLLBACK_TEST, supersedes=old, content=b"%PDF-1.4 a new drill"
    )
    with django_capture_on_commit_callbacks(execute=True):
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=in_review.use_case, actor=erin)
    in_review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED
    assert set(in_review.reviews.values_list("state", flat=True)) == {ReviewState.STALE}
    event = AuditEvent.objects.filter(verb=Verb.REQUEST_RETURNED).get()
    assert "rollback test" in event.changes["reason"]


def test_decision_on_changed_evidence_is_refused_without_the_hook(in_review, erin, rita):
    review = reviews_by_function(in_review)["risk"]
    answer_no(in_review.use_case, ReadinessQuestion.WORKFLOW_INTEGRATION)
    with pytest.raises(ValidationError, match="evidence changed"):
        decide(review, rita)
    in_review.refresh_from_db()
    review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED
    assert review.state == ReviewState.STALE
    assert review.decided_by_id is None
    # The return to the submitter commits although the decision is refused.
    assert audited(Verb.REQUEST_RETURNED) == 1


def test_a_new_metric_on_the_version_asked_for_is_a_change(in_review, rita):
    factories.EvaluationMetricFactory(version=in_review.version, name="toxicity", value=0.01, threshold=0.05)
    assert services.readiness_request_check_snapshot(request=in_review) is False
    in_review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED


def test_a_new_candidate_version_is_no_change_to_a_request_for_another(in_review, rita):
    factories.ModelVersionFactory(use_case=in_review.use_case, label="9.9.9")
    assert services.readiness_request_check_snapshot(request=in_review) is True
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED


def test_unchanged_evidence_is_left_alone(in_review):
    assert services.readiness_request_check_snapshot(request=in_review) is True
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED


def test_new_assessment_is_a_change(in_review, erin):
    factories.RiskAssessmentFactory(use_case=in_review.use_case, tier=Tier.HIGH, assessed_by=erin)
    assert services.readiness_request_check_snapshot(request=in_review, actor=erin) is False
    in_review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED
    event = AuditEvent.objects.get(verb=Verb.REQUEST_RETURNED)
    assert "New risk classification" in event.changes["reason"]
    assert event.actor == erin


def test_evidence_changed_waits_for_the_callers_commit(in_review, erin, django_capture_on_commit_callbacks):
    answer_no(in_review.use_case, ReadinessQuestion.NAMED_OWNER)
    with django_capture_on_commit_callbacks() as callbacks:
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=in_review.use_case, actor=erin)
        in_review.refresh_from_db()
        assert in_review.state == RequestState.SUBMITTED
    assert len(callbacks) == 1  # sign-off is the one subscriber
    callbacks[0]()
    in_review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED


def test_evidence_changed_without_an_open_request_does_nothing(credit, erin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hooks.announce(kind=hooks.ChangeKind.EVIDENCE_CHANGED, use_case=credit, actor=erin)
    assert not AuditEvent.objects.filter(verb=Verb.REQUEST_RETURNED).exists()
