"""Reviews through signoff/services/reviews.py.

Deciding under segregation of duties, and claiming, assigning and handing over.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.refusals import Refused
from audit.services import Verb
from lifecycle.models import Stage, Tier, UseCase
from notifications.models import Notification
from signoff import services
from signoff.access import DECIDE_REVIEW
from signoff.models import Decision, RequestState, Review, ReviewCondition, ReviewState
from tests import factories
from tests.signoff.helpers import (
    audited,
    decide,
    high_risk_use_case,
    reviews_by_function,
    submitted_request,
    supply_evidence,
)

pytestmark = pytest.mark.django_db


# Deciding: segregation of duties -----------------------------------------------------


def _assert_refused(review, actor, exc=PermissionDenied, match=None, **kwargs):
    decided_before = audited(Verb.REVIEW_DECIDED)
    state_before = Review.objects.get(pk=review.pk).state
    with pytest.raises(exc, match=match) as raised:
        decide(review, actor, **kwargs)
    review.refresh_from_db()
    assert review.state == state_before
    assert review.decided_by_id is None
    assert audited(Verb.REVIEW_DECIDED) == decided_before
    if exc is PermissionDenied:
        # The refusal says what it refused; the one road (audit/refusals.py) records it, the service does not.
        assert type(raised.value) is Refused
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
    assert decide(risk, ravi).state == ReviewState.DECIDED


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
    decide(reviews["risk"], rita)
    _assert_refused(reviews["compliance"], rita, match="already signed this request for Risk")


def test_database_refuses_a_second_signature_by_one_person(in_review, rita):
    reviews = reviews_by_function(in_review)
    decide(reviews["risk"], rita)
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


# Deciding: when and what -------------------------------------------------------------


def test_deciding_twice_is_refused(in_review, rita):
    review = reviews_by_function(in_review)["risk"]
    decide(review, rita)
    with pytest.raises(ValidationError, match="already been decided"):
        decide(review, rita, decision=Decision.REJECT, comment="second thoughts")
    review.refresh_from_db()
    assert review.decision == Decision.APPROVE
    assert audited(Verb.REVIEW_DECIDED) == 1


def test_deciding_on_a_closed_request_is_refused(in_review, erin, rita):
    review = reviews_by_function(in_review)["risk"]
    services.readiness_request_withdraw(request=in_review, actor=erin)
    _assert_refused(review, rita, exc=ValidationError, match="closed")


def test_unknown_decision_is_refused(in_review, rita):
    _assert_refused(
        reviews_by_function(in_review)["risk"],
        rita,
        exc=ValidationError,
        match="Unknown decision 'maybe'",
        decision="maybe",
    )


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
    _assert_refused(
        review,
        rita,
        exc=ValidationError,
        match="needs at least one condition",
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="ok",
    )
    assert not ReviewCondition.objects.exists()


def test_approval_with_conditions_records_them(in_review, rita, erin):
    review = reviews_by_function(in_review)["risk"]
    due = timezone.localdate() + timedelta(days=30)
    decided = decide(
        review,
        rita,
        decision=Decision.APPROVE_WITH_CONDITIONS,
        comment="Fine, with a drill.",
        conditions=[services.ConditionInput(text="Run a rollback drill", owner=erin, due_date=due)],
    )
    condition = decided.conditions.get()
    assert (condition.text, condition.owner, condition.due_date) == ("Run a rollback drill", erin, due)


def test_reject_closes_the_request_and_cancels_other_reviews(in_review, rita):
    reviews = reviews_by_function(in_review)
    decide(reviews["risk"], rita, decision=Decision.REJECT, comment="Not safe.")
    in_review.refresh_from_db()
    assert in_review.state == RequestState.REJECTED
    assert {r.state for k, r in reviews_by_function(in_review).items() if k != "risk"} == {ReviewState.CANCELLED}
    assert UseCase.objects.get(pk=in_review.use_case_id).stage == Stage.CONTROLLED


# Claiming, assigning, handing over ---------------------------------------------------


def test_claim_grants_the_object_permission(in_review, ravi):
    review = services.review_claim(review=reviews_by_function(in_review)["risk"], actor=ravi)
    assert review.state == ReviewState.ASSIGNED
    assert ravi.has_perm(DECIDE_REVIEW, review)
    assert audited(Verb.REVIEW_CLAIMED) == 1


def test_claim_refusals(in_review, carl, audrey, ravi, rita):
    review = reviews_by_function(in_review)["risk"]
    for outsider, reason in [(carl, "Only members of Risk may take this review"), (audrey, "Auditors read")]:
        with pytest.raises(Refused, match=reason):
            services.review_claim(review=review, actor=outsider)
    services.review_claim(review=review, actor=ravi)
    with pytest.raises(ValidationError, match="already assigned"):
        services.review_claim(review=review, actor=rita)
    assert Review.objects.get(pk=review.pk).assignee == ravi


def test_only_a_lead_assigns(in_review, ravi, rita, cora):
    review = reviews_by_function(in_review)["risk"]
    with pytest.raises(Refused, match="Only a lead of Risk may assign this review"):
        services.review_assign(review=review, actor=ravi, assignee=ravi)
    with pytest.raises(ValidationError, match="not a member"):
        services.review_assign(review=review, actor=rita, assignee=cora)
    services.review_assign(review=review, actor=rita, assignee=ravi)
    assert Review.objects.get(pk=review.pk).assignee == ravi
    assert list(Notification.objects.filter(user=ravi, kind="assigned").values_list("title", "url")) == [
        ("Assigned to you: Risk review of Credit scoring assistant", review.get_absolute_url())
    ]


def test_hand_over_moves_the_permission(in_review, ravi, rita, cora, carl):
    review = reviews_by_function(in_review)["risk"]
    services.review_claim(review=review, actor=ravi)
    with pytest.raises(ValidationError, match="not a member"):
        services.review_hand_over(review=review, actor=ravi, to=cora)
    with pytest.raises(
        Refused, match="Only the reviewer it is assigned to, or a lead of the function, may hand it over"
    ):
        services.review_hand_over(review=review, actor=carl, to=rita)
    services.review_hand_over(review=review, actor=ravi, to=rita)
    review = Review.objects.get(pk=review.pk)
    assert review.assignee == rita
    assert rita.has_perm(DECIDE_REVIEW, review)
    ravi = type(ravi).objects.get(pk=ravi.pk)
    assert not ravi.has_perm(DECIDE_REVIEW, review)
    with pytest.raises(PermissionDenied, match="only its assignee or a lead"):
        decide(review, ravi)


def test_lead_decides_from_the_queue(in_review, rita):
    review = decide(reviews_by_function(in_review)["risk"], rita)
    assert review.decided_by == rita
    assert review.assignee == rita


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
