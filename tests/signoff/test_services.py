"""Readiness requests and reviews through their services: every path, legal and illegal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.refusals import Refused
from audit.services import Verb
from lifecycle import hooks
from lifecycle.models import ArtifactKind, ReadinessQuestion, Stage, StageChange, Tier, UseCase
from notifications.models import Notification
from signoff import services
from signoff.access import DECIDE_REVIEW
from signoff.calendar import add_business_days, yearly_revalidation_due
from signoff.gates import gate_evaluate, gate_run
from signoff.models import (
    Decision,
    GatePolicy,
    ReadinessRequest,
    RequestState,
    Review,
    ReviewCondition,
    ReviewState,
    SignoffRule,
)
from signoff.services import approval
from tests import factories
from tests.signoff.helpers import (
    answer_no,
    high_risk_use_case,
    put_at_stage,
    reviews_by_function,
    supply_evidence,
)

pytestmark = pytest.mark.django_db


def audited(verb: Verb) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


def submitted_request(use_case: UseCase, actor, target_stage: int) -> ReadinessRequest:
    request = services.readiness_request_create(use_case=use_case, actor=actor, target_stage=target_stage)
    return services.readiness_request_submit(request=request, actor=actor)


# Creating ---------------------------------------------------------------------


def test_create_makes_a_draft_for_the_next_stage(credit, erin):
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3, justification=" why ")
    assert request.state == RequestState.DRAFT
    assert (request.from_stage, request.target_stage, request.justification) == (2, 3, "why")
    assert audited(Verb.REQUEST_CREATED) == 1


@pytest.mark.parametrize("target", [4, 1])
def test_create_refuses_anything_but_the_next_stage_or_the_current_one(credit, erin, target):
    with pytest.raises(ValidationError, match="one stage at a time"):
        services.readiness_request_create(use_case=credit, actor=erin, target_stage=target)
    assert not ReadinessRequest.objects.exists()


def test_only_owners_create(credit, eric, rita, audrey, admin_user):
    for outsider in (eric, rita, audrey, admin_user):
        with pytest.raises(PermissionDenied):
            services.readiness_request_create(use_case=credit, actor=outsider, target_stage=3)
    assert not ReadinessRequest.objects.exists()


def test_business_owner_may_create(credit, bob):
    request = services.readiness_request_create(use_case=credit, actor=bob, target_stage=3)
    assert request.submitted_by == bob


def test_create_refuses_a_retired_use_case(credit, erin):
    put_at_stage(credit, Stage.RETIRED)
    with pytest.raises(ValidationError, match="retired"):
        services.readiness_request_create(use_case=credit, actor=erin, target_stage=10)
    assert not ReadinessRequest.objects.exists()


def test_create_refuses_a_prohibited_use_case(use_case, erin):
    UseCase.objects.filter(pk=use_case.pk).update(risk_tier=Tier.PROHIBITED)
    factories.ModelVersionFactory(use_case=use_case)
    with pytest.raises(ValidationError, match="prohibited"):
        services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    assert not ReadinessRequest.objects.exists()


def test_create_refuses_a_second_open_request(credit, erin):
    first = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    with pytest.raises(ValidationError, match=f"#{first.pk}"):
        services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    assert ReadinessRequest.objects.count() == 1


def test_database_keeps_one_open_request_per_use_case(credit, erin):
    first = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadinessRequest.objects.create(
            use_case=credit, version=first.version, from_stage=2, target_stage=3, submitted_by=erin
        )


def test_create_needs_a_version(use_case, erin):
    with pytest.raises(ValidationError, match="Record a version"):
        services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)


def test_create_refuses_the_highest_stage(credit, erin):
    put_at_stage(credit, Stage.SCALE)
    with pytest.raises(ValidationError, match="highest stage"):
        services.readiness_request_create(use_case=credit, actor=erin, target_stage=5)


# Submitting -------------------------------------------------------------------


def test_submit_is_refused_with_the_evaluators_reasons(erin, bob, rita):
    use_case = high_risk_use_case(erin, bob, stage=2)
    factories.ModelVersionFactory(use_case=use_case)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    with pytest.raises(ValidationError) as refused:
        services.readiness_request_submit(request=request, actor=erin)
    text = " ".join(refused.value.messages)
    assert "Missing: Rollback test record." in text
    assert "No risk classification yet" in text
    request.refresh_from_db()
    assert request.state == RequestState.DRAFT
    assert request.revision == 0
    assert not Review.objects.exists()


def test_submit_snapshots_policy_and_evidence_and_queues_reviews(in_review, credit, erin):
    request = in_review
    assert request.state == RequestState.SUBMITTED
    assert request.revision == 1
    assert request.policy_snapshot["target_stage"] == 3
    kinds = {a["kind"] for a in request.evidence_snapshot["artifacts"]}
    assert ArtifactKind.ROLLBACK_TEST in kinds
    assert all(len(a["sha256"]) == 64 for a in request.evidence_snapshot["artifacts"])
    assert request.evidence_snapshot["version"]["config_hash"] == credit.versions.get().config_hash
    assert request.evidence_snapshot["assessment"]["tier"] == Tier.HIGH
    assert request.evidence_snapshot["readiness"][ReadinessQuestion.NAMED_OWNER] is True
    assert len(request.snapshot_hash) == 64
    reviews = reviews_by_function(request)
    assert set(reviews) == {"risk", "compliance", "legal"}
    due = add_business_days(timezone.localdate(), 5)
    for review in reviews.values():
        assert review.state == ReviewState.UNASSIGNED
        assert review.due_date == due
        assert (review.submitter_id, review.technical_owner_id, review.business_owner_id) == (
            erin.pk,
            credit.technical_owner_id,
            credit.business_owner_id,
        )
    queued = Notification.objects.filter(kind="queued").values_list("user__username", flat=True)
    assert {"rita", "ravi", "carl", "cora", "lena", "leo"} <= set(queued)


def test_submit_by_an_outsider_is_refused(credit, erin, eric, audrey):
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    for outsider in (eric, audrey):
        with pytest.raises(PermissionDenied):
            services.readiness_request_submit(request=request, actor=outsider)
    request.refresh_from_db()
    assert request.state == RequestState.DRAFT


def test_submit_twice_is_refused(in_review, erin):
    with pytest.raises(ValidationError, match="Only a draft"):
        services.readiness_request_submit(request=in_review, actor=erin)
    assert Review.objects.count() == 3


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
    # The packet render is queued after commit, never inside the transaction.
    assert any(getattr(cb, "func", None) is approval._after_approval for cb in callbacks)


def test_policy_change_never_alters_a_submitted_request(in_review, credit, admin_user):
    policy = GatePolicy.objects.get(target_stage=3)
    policy.required_artifact_kinds = [*policy.required_artifact_kinds, ArtifactKind.MODEL_CARD]
    policy.requires_owner_acceptance = True
    policy.save()
    SignoffRule.objects.filter(policy=policy, function__key="legal").delete()
    in_review.refresh_from_db()
    assert ArtifactKind.MODEL_CARD not in in_review.policy_snapshot["required_artifact_kinds"]
    assert in_review.policy_snapshot["requires_owner_acceptance"] is False
    gate = gate_evaluate(use_case=credit, target_stage=3, request=in_review)
    assert "signoff.legal" in {r.key for r in gate.requirements}
    assert "evidence.model_card" not in {r.key for r in gate.requirements}


# Deciding: segregation of duties ---------------------------------------------------


def _decide(review, actor, decision=Decision.APPROVE, comment="", conditions=()):
    return services.review_decide(review=review, actor=actor, decision=decision, comment=comment, conditions=conditions)


def _assert_refused(review, actor, exc=PermissionDenied, match=None, **kwargs):
    decided_before = audited(Verb.REVIEW_DECIDED)
    with pytest.raises(exc, match=match) as raised:
        _decide(review, actor, **kwargs)
    review.refresh_from_db()
    assert review.state != ReviewState.DECIDED
    assert review.decided_by_id is None
    assert audited(Verb.REVIEW_DECIDED) == decided_before
    if exc is PermissionDenied:
        # The refusal says what it refused; the one road (audit/refusals.py) records it, the service does not.
        assert isinstance(raised.value, Refused)
        assert (raised.value.obj, raised.value.request_id) == (review, review.request_id)
    assert audited(Verb.ACCESS_REFUSED) == 0


def test_rita_cannot_sign_a_use_case_she_owns(erin, rita, ravi, carl, lena):
    use_case = high_risk_use_case(erin, rita, stage=2)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    request = submitted_request(use_case, erin, 3)
    risk = reviews_by_function(request)["risk"]
    _assert_refused(risk, rita, match="You own this use case")
    with pytest.raises(PermissionDenied, match="own"):
        services.review_claim(review=risk, actor=rita)
    with pytest.raises(ValidationError, match="owns this use case"):
        services.review_assign(review=risk, actor=rita, assignee=rita)
    services.review_assign(review=risk, actor=rita, assignee=ravi)
    assert _decide(risk, ravi).state == ReviewState.DECIDED


def test_submitter_cannot_decide(credit, bob, rita, carl, lena):
    # A reviewer who is also an owner is conflicted; so is whoever submitted.
    request = submitted_request(credit, bob, 3)
    review = reviews_by_function(request)["risk"]
    Review.objects.filter(pk=review.pk).update(submitter=rita)
    review.refresh_from_db()
    _assert_refused(review, rita, match="You submitted this request")


def test_same_person_cannot_sign_two_functions(in_review, rita, carl):
    reviews = reviews_by_function(in_review)
    factories.reviewer("rita", "compliance", lead=True)
    _decide(reviews["risk"], rita)
    _assert_refused(reviews["compliance"], rita, match="already signed this request for Risk")


def test_database_refuses_a_second_signature_by_one_person(in_review, rita):
    reviews = reviews_by_function(in_review)
    _decide(reviews["risk"], rita)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=reviews["compliance"].pk).update(
            state=ReviewState.DECIDED, decided_by=rita, decided_at=timezone.now(), decision=Decision.APPROVE
        )


def test_database_refuses_an_owner_signature(in_review, erin):
    review = reviews_by_function(in_review)["risk"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(
            state=ReviewState.DECIDED, decided_by=erin, decided_at=timezone.now(), decision=Decision.APPROVE
        )


def test_non_assignee_non_lead_cannot_decide(in_review, ravi, rita):
    review = reviews_by_function(in_review)["risk"]
    _assert_refused(review, ravi, match="only its assignee or a lead")
    services.review_assign(review=review, actor=rita, assignee=ravi)
    factories.reviewer("pat", "risk")
    from accounts.models import User

    pat = User.objects.get(username="pat")
    _assert_refused(review, pat, match="assigned to")


def test_member_of_another_function_cannot_decide(in_review, carl):
    _assert_refused(reviews_by_function(in_review)["risk"], carl, match="Only members of Risk")


def test_auditor_cannot_decide(in_review, audrey):
    _assert_refused(reviews_by_function(in_review)["risk"], audrey, match="Auditors")


def test_deciding_twice_is_refused(in_review, rita):
    review = reviews_by_function(in_review)["risk"]
    _decide(review, rita)
    with pytest.raises(ValidationError, match="already been decided"):
        _decide(review, rita, decision=Decision.REJECT, comment="second thoughts")
    review.refresh_from_db()
    assert review.decision == Decision.APPROVE
    assert audited(Verb.REVIEW_DECIDED) == 1


def test_deciding_on_a_closed_request_is_refused(in_review, erin, rita):
    review = reviews_by_function(in_review)["risk"]
    services.readiness_request_withdraw(request=in_review, actor=erin)
    _assert_refused(review, rita, exc=ValidationError, match="closed")


def test_unknown_decision_is_refused(in_review, rita):
    _assert_refused(reviews_by_function(in_review)["risk"], rita, exc=ValidationError, decision="maybe")


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.REQUEST_CHANGES, Decision.APPROVE_WITH_CONDITIONS])
def test_comment_is_required_except_for_plain_approval(in_review, rita, decision):
    _assert_refused(
        reviews_by_function(in_review)["risk"],
        rita,
        exc=ValidationError,
        match="comment is required",
        decision=decision,
    )


def test_conditions_need_text_owner_and_future_due_date(in_review, rita, erin):
    review = reviews_by_function(in_review)["risk"]
    bad = [services.ConditionInput(text="", owner=None, due_date=timezone.localdate())]
    _assert_refused(
        review,
        rita,
        exc=ValidationError,
        match="Condition 1",
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="ok",
        conditions=bad,
    )
    _assert_refused(review, rita, exc=ValidationError, decision=Decision.APPROVE_WITH_CONDITIONS, comment="ok")
    assert not ReviewCondition.objects.exists()


def test_approval_with_conditions_records_them(in_review, rita, erin):
    review = reviews_by_function(in_review)["risk"]
    due = timezone.localdate() + timedelta(days=30)
    decided = _decide(
        review,
        rita,
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="Fine, with a drill.",
        conditions=[services.ConditionInput(text="Run a rollback drill", owner=erin, due_date=due)],
    )
    condition = decided.conditions.get()
    assert (condition.text, condition.owner, condition.due_date) == ("Run a rollback drill", erin, due)


# Outcomes ------------------------------------------------------------------------


def test_full_journey_to_stage_three(erin, bob, rita, carl, lena, ravi, cora, leo):
    use_case = high_risk_use_case(erin, bob, stage=2)
    factories.ModelVersionFactory(use_case=use_case)
    gate = gate_evaluate(use_case=use_case, target_stage=3)
    missing = {r.key for r in gate.unmet}
    assert {"evidence.rollback_test", "classification.present", "readiness.named_owner"} <= missing
    assert {"signoff.risk", "signoff.compliance", "signoff.legal"} <= missing

    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    with pytest.raises(ValidationError):
        services.readiness_request_submit(request=request, actor=erin)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    request = services.readiness_request_submit(request=request, actor=erin)

    reviews = reviews_by_function(request)
    services.review_claim(review=reviews["risk"], actor=rita)
    _decide(reviews["risk"], rita)
    _decide(
        reviews["compliance"],
        carl,
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="Keep the DPIA current.",
        conditions=[services.ConditionInput("Refresh DPIA", erin, timezone.localdate() + timedelta(days=90))],
    )
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.CONTROLLED
    _decide(reviews["legal"], lena)

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


def test_reject_closes_the_request_and_cancels_other_reviews(in_review, rita):
    reviews = reviews_by_function(in_review)
    _decide(reviews["risk"], rita, decision=Decision.REJECT, comment="Not safe.")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.REJECTED
    assert {r.state for k, r in reviews_by_function(in_review).items() if k != "risk"} == {ReviewState.CANCELLED}
    assert UseCase.objects.get(pk=in_review.use_case_id).stage == Stage.CONTROLLED


def test_request_changes_returns_it_and_resubmit_creates_new_reviews(in_review, erin, rita, carl, lena):
    reviews = reviews_by_function(in_review)
    _decide(reviews["compliance"], carl)
    services.review_claim(review=reviews["legal"], actor=lena)
    _decide(reviews["risk"], rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card.")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.CHANGES_REQUESTED
    assert Review.objects.get(pk=reviews["legal"].pk).state == ReviewState.STALE
    with pytest.raises(ValidationError, match="closed"):
        _decide(reviews["legal"], lena)

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
    assert new["risk"].last_viewed_snapshot != request.evidence_snapshot
    # The stale decision keeps who gave it, for the record.
    assert Review.objects.get(pk=reviews["compliance"].pk).decided_by == carl


def test_approving_a_resubmitted_request_audits_the_state_it_left(in_review, erin, rita, carl, lena):
    risk = reviews_by_function(in_review)["risk"]
    _decide(risk, rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card.")
    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    request = services.readiness_request_resubmit(request=in_review, actor=erin)
    for function, reviewer in reviews_by_function(request).items():
        _decide(reviewer, {"risk": rita, "compliance": carl, "legal": lena}[function])
    approved = AuditEvent.objects.get(verb=Verb.REQUEST_APPROVED)
    assert approved.changes["state"] == [RequestState.RESUBMITTED, RequestState.APPROVED]


def test_resubmit_refused_unless_changes_were_requested(in_review, erin):
    with pytest.raises(ValidationError, match="Only a request returned"):
        services.readiness_request_resubmit(request=in_review, actor=erin)
    assert in_review.reviews.count() == 3


def test_owner_acceptance_is_needed_where_the_policy_says(erin, bob, rita, ravi, eric):
    use_case = high_risk_use_case(erin, bob, stage=3)
    supply_evidence(use_case, 4, tier=Tier.LIMITED)
    UseCase.objects.filter(pk=use_case.pk).update(revalidation_due=timezone.localdate() + timedelta(days=200))
    request = submitted_request(use_case, erin, 4)
    _decide(reviews_by_function(request)["risk"], rita)
    request.refresh_from_db()
    assert request.state == RequestState.SUBMITTED
    for wrong in (erin, eric, rita):
        with pytest.raises(PermissionDenied, match="business owner"):
            services.readiness_request_accept_as_owner(request=request, actor=wrong)
    services.readiness_request_accept_as_owner(request=request, actor=bob)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert request.owner_accepted_by == bob
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.SCALE


def test_withdraw_cancels_reviews(in_review, erin, rita, eric, audrey):
    review = reviews_by_function(in_review)["risk"]
    services.review_claim(review=review, actor=rita)
    for outsider in (eric, audrey, rita):
        with pytest.raises(PermissionDenied):
            services.readiness_request_withdraw(request=in_review, actor=outsider)
    services.readiness_request_withdraw(request=in_review, actor=erin, reason="Wrong version")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.WITHDRAWN
    assert set(in_review.reviews.values_list("state", flat=True)) == {ReviewState.CANCELLED}
    assert not rita.has_perm(DECIDE_REVIEW, Review.objects.get(pk=review.pk))
    with pytest.raises(ValidationError, match="closed"):
        services.readiness_request_withdraw(request=in_review, actor=erin)


# Evidence changing under review -----------------------------------------------------


def test_new_artifact_returns_the_request_through_the_hook(in_review, erin, rita, django_capture_on_commit_callbacks):
    review = reviews_by_function(in_review)["risk"]
    _decide(review, rita)
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
        _decide(review, rita)
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


# Claiming, assigning, handing over ---------------------------------------------------


def test_claim_grants_the_object_permission(in_review, ravi):
    review = services.review_claim(review=reviews_by_function(in_review)["risk"], actor=ravi)
    assert review.state == ReviewState.ASSIGNED
    assert ravi.has_perm(DECIDE_REVIEW, review)
    assert audited(Verb.REVIEW_CLAIMED) == 1


def test_claim_refusals(in_review, carl, audrey, ravi, rita):
    review = reviews_by_function(in_review)["risk"]
    for outsider in (carl, audrey):
        with pytest.raises(PermissionDenied):
            services.review_claim(review=review, actor=outsider)
    services.review_claim(review=review, actor=ravi)
    with pytest.raises(ValidationError, match="already assigned"):
        services.review_claim(review=review, actor=rita)
    assert Review.objects.get(pk=review.pk).assignee == ravi


def test_only_a_lead_assigns(in_review, ravi, rita, cora):
    review = reviews_by_function(in_review)["risk"]
    with pytest.raises(PermissionDenied, match="lead"):
        services.review_assign(review=review, actor=ravi, assignee=ravi)
    with pytest.raises(ValidationError, match="not a member"):
        services.review_assign(review=review, actor=rita, assignee=cora)
    services.review_assign(review=review, actor=rita, assignee=ravi)
    assert Review.objects.get(pk=review.pk).assignee == ravi
    assert Notification.objects.filter(user=ravi, kind="assigned").exists()


def test_hand_over_moves_the_permission(in_review, ravi, rita, cora, carl):
    review = reviews_by_function(in_review)["risk"]
    services.review_claim(review=review, actor=ravi)
    with pytest.raises(ValidationError, match="not a member"):
        services.review_hand_over(review=review, actor=ravi, to=cora)
    with pytest.raises(PermissionDenied):
        services.review_hand_over(review=review, actor=carl, to=rita)
    services.review_hand_over(review=review, actor=ravi, to=rita)
    review = Review.objects.get(pk=review.pk)
    assert review.assignee == rita
    assert rita.has_perm(DECIDE_REVIEW, review)
    ravi = type(ravi).objects.get(pk=ravi.pk)
    assert not ravi.has_perm(DECIDE_REVIEW, review)
    with pytest.raises(PermissionDenied, match="only its assignee or a lead"):
        _decide(review, ravi)


def test_lead_decides_from_the_queue(in_review, rita):
    review = _decide(reviews_by_function(in_review)["risk"], rita)
    assert review.decided_by == rita
    assert review.assignee == rita


# Demotion and retirement close open requests ---------------------------------------------


def test_close_for_use_case_supersedes_open_requests(in_review, erin):
    closed = services.readiness_requests_close_for_use_case(
        use_case=in_review.use_case, actor=erin, reason="Demoted after an incident"
    )
    assert [r.pk for r in closed] == [in_review.pk]
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUPERSEDED
    assert set(in_review.reviews.values_list("state", flat=True)) == {ReviewState.CANCELLED}


def test_demotion_supersedes_the_open_request(in_review, erin):
    from lifecycle.services import use_case_demote

    use_case_demote(use_case=in_review.use_case, actor=erin, to_stage=1, reason="Incident 42")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUPERSEDED
    event = AuditEvent.objects.get(verb=Verb.REQUEST_SUPERSEDED)
    assert event.changes["reason"] == "Incident 42"


def test_refused_retirement_leaves_the_request_open(in_review, eric):
    from lifecycle.services import use_case_retire

    with pytest.raises(PermissionDenied):
        use_case_retire(use_case=in_review.use_case, actor=eric, reason="Not mine")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED
    assert not AuditEvent.objects.filter(verb=Verb.REQUEST_SUPERSEDED).exists()


# Refusals are audited and change nothing ---------------------------------------------------


def test_refused_writes_change_nothing_and_say_what_they_refused(in_review, eric, audrey, carl, ravi, credit):
    review = reviews_by_function(in_review)["risk"]
    attempts = [
        lambda: services.readiness_request_withdraw(request=in_review, actor=eric),
        lambda: services.readiness_request_resubmit(request=in_review, actor=audrey),
        lambda: services.readiness_request_comment(request=in_review, actor=audrey, body="hi"),
        lambda: services.review_claim(review=review, actor=carl),
        lambda: services.review_assign(review=review, actor=ravi, assignee=ravi),
        lambda: services.review_hand_over(review=review, actor=audrey, to=ravi),
        lambda: services.readiness_request_create(use_case=credit, actor=eric, target_stage=3),
    ]
    targets = [in_review, in_review, in_review, review, review, review, credit]
    for attempt, target in zip(attempts, targets, strict=True):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.obj == target
    # Services raise; the one road (audit/refusals.py) audits, once, at the page or the API.
    assert not AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).exists()
    in_review.refresh_from_db()
    review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED
    assert (review.state, review.assignee_id) == (ReviewState.UNASSIGNED, None)
    assert not in_review.comments.exists()


def test_illegal_review_transitions(in_review, rita, ravi, erin, leo):
    review = reviews_by_function(in_review)["risk"]
    with pytest.raises(ValidationError, match="not assigned to anyone yet"):
        services.review_hand_over(review=review, actor=rita, to=ravi)
    services.review_decide(review=review, actor=rita, decision=Decision.APPROVE)
    with pytest.raises(ValidationError, match="already been decided"):
        services.review_claim(review=review, actor=ravi)
    with pytest.raises(ValidationError, match="already been decided"):
        services.review_assign(review=review, actor=rita, assignee=ravi)
    services.readiness_request_withdraw(request=in_review, actor=erin)
    legal = reviews_by_function(in_review)["legal"]
    with pytest.raises(ValidationError, match="closed"):
        services.review_claim(review=legal, actor=leo)
    assert Review.objects.get(pk=review.pk).decided_by == rita


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
