"""Readiness requests through signoff/services/requests.py.

Creating, submitting, resubmitting, withdrawing, the business owner's acceptance, and closing on demotion.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.refusals import Refused
from audit.services import Verb
from lifecycle.models import ArtifactKind, ReadinessQuestion, Stage, Tier, UseCase
from notifications.models import Notification
from signoff import services
from signoff.access import DECIDE_REVIEW
from signoff.calendar import add_business_days
from signoff.gates import gate_evaluate
from signoff.models import GatePolicy, ReadinessRequest, RequestState, Review, ReviewState, SignoffRule
from tests import factories
from tests.signoff.helpers import (
    STAGE_KINDS,
    audited,
    decide,
    high_risk_use_case,
    put_at_stage,
    reviews_by_function,
    submitted_request,
    supply_evidence,
)

pytestmark = pytest.mark.django_db

AUDITORS = "Auditors read; they change nothing."
NOT_AN_OWNER = "Only the use case's owners may ask to promote it."
MAY_NOT_WITHDRAW = "Only the submitter or the use case's owners may withdraw this request."
NOT_A_MEMBER = "Only members of Risk may take this review."


# Creating ----------------------------------------------------------------------------


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
    for outsider, reason in [
        (eric, NOT_AN_OWNER),
        (rita, NOT_AN_OWNER),
        (audrey, AUDITORS),
        (admin_user, NOT_AN_OWNER),
    ]:
        with pytest.raises(Refused, match=reason):
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


# Submitting --------------------------------------------------------------------------


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
    current = credit.artifacts.filter(is_current=True)
    assert sorted((a["kind"], a["sha256"]) for a in request.evidence_snapshot["artifacts"]) == sorted(
        current.values_list("kind", "sha256")
    )
    # The stage's evidence, and what the high-risk classification on personal data obliges.
    obliged = [ArtifactKind.DPIA, ArtifactKind.EU_REGISTRATION]
    assert sorted(a["kind"] for a in request.evidence_snapshot["artifacts"]) == sorted([*STAGE_KINDS[3], *obliged])
    assert request.evidence_snapshot["version"]["config_hash"] == credit.versions.get().config_hash
    assert request.evidence_snapshot["assessment"]["tier"] == Tier.HIGH
    assert request.evidence_snapshot["readiness"][ReadinessQuestion.NAMED_OWNER] is True
    assert re.fullmatch(r"[0-9a-f]{64}", request.snapshot_hash)
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
    queued = Notification.objects.filter(kind="queued").values_list("user__username", "title", "url")
    reviews = {r.function.key: r.get_absolute_url() for r in Review.objects.filter(request=request)}
    assert sorted(queued) == [
        (user, "Review queued: Credit scoring assistant to stage 3", reviews[key])
        for user, key in [
            ("carl", "compliance"),
            ("cora", "compliance"),
            ("lena", "legal"),
            ("leo", "legal"),
            ("ravi", "risk"),
            ("rita", "risk"),
        ]
    ]


def test_submit_by_an_outsider_is_refused(credit, erin, eric, audrey):
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    for outsider, reason in [
        (eric, "Only the submitter or the use case's owners may submit this request"),
        (audrey, AUDITORS),
    ]:
        with pytest.raises(Refused, match=reason):
            services.readiness_request_submit(request=request, actor=outsider)
    request.refresh_from_db()
    assert request.state == RequestState.DRAFT


def test_submit_twice_is_refused(in_review, erin):
    with pytest.raises(ValidationError, match="Only a draft"):
        services.readiness_request_submit(request=in_review, actor=erin)
    assert Review.objects.count() == 3


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


# Resubmitting, owner acceptance, withdrawal ------------------------------------------


def test_resubmit_refused_unless_changes_were_requested(in_review, erin):
    with pytest.raises(ValidationError, match="Only a request returned"):
        services.readiness_request_resubmit(request=in_review, actor=erin)
    assert in_review.reviews.count() == 3


def test_owner_acceptance_is_needed_where_the_policy_says(erin, bob, rita, ravi, eric):
    use_case = high_risk_use_case(erin, bob, stage=3)
    supply_evidence(use_case, 4, tier=Tier.LIMITED)
    UseCase.objects.filter(pk=use_case.pk).update(revalidation_due=timezone.localdate() + timedelta(days=200))
    request = submitted_request(use_case, erin, 4)
    decide(reviews_by_function(request)["risk"], rita)
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
    for outsider, reason in [(eric, MAY_NOT_WITHDRAW), (audrey, AUDITORS), (rita, MAY_NOT_WITHDRAW)]:
        with pytest.raises(Refused, match=reason):
            services.readiness_request_withdraw(request=in_review, actor=outsider)
    services.readiness_request_withdraw(request=in_review, actor=erin, reason="Wrong version")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.WITHDRAWN
    assert set(in_review.reviews.values_list("state", flat=True)) == {ReviewState.CANCELLED}
    assert not rita.has_perm(DECIDE_REVIEW, Review.objects.get(pk=review.pk))
    with pytest.raises(ValidationError, match="closed"):
        services.readiness_request_withdraw(request=in_review, actor=erin)


# Demotion and retirement close open requests -----------------------------------------


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

    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may retire it"):
        use_case_retire(use_case=in_review.use_case, actor=eric, reason="Not mine")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED
    assert not AuditEvent.objects.filter(verb=Verb.REQUEST_SUPERSEDED).exists()


# Refusals change nothing -------------------------------------------------------------


def test_refused_writes_change_nothing_and_say_what_they_refused(in_review, eric, audrey, carl, ravi, credit):
    review = reviews_by_function(in_review)["risk"]
    attempts = [
        (lambda: services.readiness_request_withdraw(request=in_review, actor=eric), in_review, MAY_NOT_WITHDRAW),
        (lambda: services.readiness_request_resubmit(request=in_review, actor=audrey), in_review, AUDITORS),
        (lambda: services.readiness_request_comment(request=in_review, actor=audrey, body="hi"), in_review, AUDITORS),
        (
            lambda: services.review_claim(review=review, actor=carl),
            review,
            "Only members of Risk may take this review.",
        ),
        (
            lambda: services.review_assign(review=review, actor=ravi, assignee=ravi),
            review,
            "Only a lead of Risk may assign this review.",
        ),
        (lambda: services.review_hand_over(review=review, actor=audrey, to=ravi), review, AUDITORS),
        (lambda: services.readiness_request_create(use_case=credit, actor=eric, target_stage=3), credit, NOT_AN_OWNER),
    ]
    for attempt, target, reason in attempts:
        with pytest.raises(Refused) as refused:
            attempt()
        assert (refused.value.obj, str(refused.value)) == (target, reason)
    # Services raise; the one road (audit/refusals.py) audits, once, at the page or the API.
    assert not AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).exists()
    in_review.refresh_from_db()
    review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED
    assert (review.state, review.assignee_id) == (ReviewState.UNASSIGNED, None)
    assert not in_review.comments.exists()
