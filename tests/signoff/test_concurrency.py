"""Real threads against PostgreSQL: simultaneous decisions end in one consistent outcome."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from accounts.models import User
from lifecycle.models import Stage, StageChange, Tier, UseCase
from signoff import services
from signoff.models import Decision, ReadinessRequest, RequestState, Review, ReviewState
from tests.signoff.helpers import business_owner, high_risk_use_case, reviews_by_function, supply_evidence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_together(*calls):
    """Start every call at the same moment, each on its own connection; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(n, call):
        try:
            barrier.wait()
            results[n] = call()
        except Exception as exc:  # the outcome under test, reported to the main thread
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n, call)) for n, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    return results


@pytest.fixture
def request_in_review(erin, rita, carl, lena):
    bob = business_owner("bob")
    use_case = high_risk_use_case(erin, bob, stage=2)
    supply_evidence(use_case, 3, tier=Tier.HIGH)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=3)
    return services.readiness_request_submit(request=request, actor=erin)


def fresh(username: str) -> User:
    return User.objects.get(username=username)


def test_last_two_approvals_at_once_promote_exactly_once(request_in_review, rita, carl, lena):
    reviews = reviews_by_function(request_in_review)
    services.review_decide(review=reviews["risk"], actor=rita, decision=Decision.APPROVE)

    results = run_together(
        lambda: services.review_decide(review=reviews["compliance"], actor=fresh("carl"), decision=Decision.APPROVE),
        lambda: services.review_decide(review=reviews["legal"], actor=fresh("lena"), decision=Decision.APPROVE),
    )

    assert [type(r) for r in results] == [Review, Review], results
    request = ReadinessRequest.objects.get(pk=request_in_review.pk)
    assert request.state == RequestState.APPROVED
    assert request.stage_change == StageChange.objects.get(use_case_id=request.use_case_id)
    assert UseCase.objects.get(pk=request.use_case_id).stage == Stage.GUARDED


def test_decision_racing_a_withdrawal_has_one_outcome(request_in_review, rita, erin):
    review = reviews_by_function(request_in_review)["risk"]

    results = run_together(
        lambda: services.review_decide(review=review, actor=fresh("rita"), decision=Decision.APPROVE),
        lambda: services.readiness_request_withdraw(request=request_in_review, actor=fresh("erin")),
    )

    request = ReadinessRequest.objects.get(pk=request_in_review.pk)
    review = Review.objects.get(pk=review.pk)
    assert request.state == RequestState.WITHDRAWN
    assert type(results[1]) is ReadinessRequest
    # Two orders are possible, and each has exactly one right outcome.
    if type(results[0]) is Review:
        # The decision came first; the withdrawal then closed the request.
        assert review.state == ReviewState.DECIDED
    else:
        assert type(results[0]) is ValidationError, results
        assert results[0].messages == ["This review is closed (cancelled)."]
        assert review.state == ReviewState.CANCELLED
        assert review.decided_by_id is None


def test_same_review_decided_twice_at_once(request_in_review, rita):
    review = reviews_by_function(request_in_review)["risk"]

    results = run_together(
        lambda: services.review_decide(review=review, actor=fresh("rita"), decision=Decision.APPROVE),
        lambda: services.review_decide(
            review=review, actor=fresh("rita"), decision=Decision.REJECT, comment="On second thoughts"
        ),
    )

    decided = [r for r in results if type(r) is Review]
    refused = [r for r in results if type(r) is ValidationError]
    assert (len(decided), len(refused)) == (1, 1), results
    assert refused[0].messages == ["This review has already been decided."]
    review = Review.objects.get(pk=review.pk)
    assert review.decision == decided[0].decision


def test_last_approval_racing_a_demotion_never_deadlocks(request_in_review, rita, carl, erin):
    from lifecycle.services import use_case_demote

    reviews = reviews_by_function(request_in_review)
    services.review_decide(review=reviews["risk"], actor=rita, decision=Decision.APPROVE)
    services.review_decide(review=reviews["compliance"], actor=carl, decision=Decision.APPROVE)
    use_case = UseCase.objects.get(pk=request_in_review.use_case_id)

    results = run_together(
        lambda: services.review_decide(review=reviews["legal"], actor=fresh("lena"), decision=Decision.APPROVE),
        lambda: use_case_demote(use_case=use_case, actor=fresh("erin"), to_stage=1, reason="Incident 7"),
    )

    assert type(results[1]) is StageChange, results
    request = ReadinessRequest.objects.get(pk=request_in_review.pk)
    promotions = StageChange.objects.filter(use_case=use_case, kind=StageChange.Kind.PROMOTION).count()
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.SANDBOX
    # Two orders are possible, and each has exactly one right outcome.
    if type(results[0]) is Review:
        assert (request.state, promotions) == (RequestState.APPROVED, 1)
    else:
        assert type(results[0]) is ValidationError, results
        assert results[0].messages == ["This review is closed (cancelled)."]
        assert (request.state, promotions) == (RequestState.SUPERSEDED, 0)
