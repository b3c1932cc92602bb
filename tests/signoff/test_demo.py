"""The demo's requests: real promotions, open reviews in every state, and nothing twice."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from lifecycle.models import Stage, Tier, UseCase
from signoff.demo import demo_requests_seed
from signoff.models import ReadinessRequest, RequestState, Review, ReviewState
from tests import factories
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(erin, eric, rita, ravi, carl, cora, lena, leo, audrey, bob):
    return {u.username: u for u in (erin, eric, rita, ravi, carl, cora, lena, leo, audrey, bob)}


@pytest.fixture
def demo_use_cases(people):
    erin, eric, rita, bob = people["erin"], people["eric"], people["rita"], people["bob"]

    def make(slug, owner, business=None, tier=Tier.MINIMAL, up_to=2, **flags):
        use_case = factories.UseCaseFactory(
            slug=slug,
            title=slug.replace("-", " ").title(),
            technical_owner=owner,
            business_owner=business,
            risk_tier=tier,
            **flags,
        )
        supply_evidence(use_case, up_to, tier=tier)
        return UseCase.objects.get(pk=use_case.pk)

    cases = [
        make("code-assistant", erin),
        make("credit-scoring", erin, bob, Tier.HIGH, up_to=3, processes_personal_data=True, regulated_decision=True),
        make("fraud-triage", eric, rita),
        make("hr-screening", eric),
        make("meeting-notes", erin),
        make("support-summaries", eric),
    ]
    return {u.slug: u for u in cases}


# A Wednesday, so the business-day due dates below are plain dates.
@time_machine.travel(datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/London")), tick=False)
def test_seed_promotes_and_leaves_requests_open(people, demo_use_cases):
    notes = demo_requests_seed(users=people, use_cases=demo_use_cases)

    def stage(slug):
        return UseCase.objects.get(slug=slug).stage

    assert stage("code-assistant") == Stage.CONTROLLED, notes
    assert stage("credit-scoring") == Stage.GUARDED, notes
    credit = ReadinessRequest.objects.get(use_case__slug="credit-scoring", target_stage=3)
    signers = {r.function.key: r.decided_by.username for r in credit.reviews.all()}
    assert signers == {"risk": "rita", "compliance": "carl", "legal": "lena"}
    assert UseCase.objects.get(slug="credit-scoring").revalidation_due == date(2027, 12, 2)

    owned = ReadinessRequest.objects.get(use_case__slug="fraud-triage", state=RequestState.SUBMITTED)
    assert owned.reviews.get().state == ReviewState.UNASSIGNED

    open_reviews = Review.objects.filter(state__in=[ReviewState.UNASSIGNED, ReviewState.ASSIGNED])
    # One overdue and assigned, one due tomorrow and unassigned: the reminders have something to do.
    assert sorted(
        (r.request.use_case.slug, r.function.key, r.state, r.assignee and r.assignee.username, r.due_date)
        for r in open_reviews
    ) == [
        ("fraud-triage", "risk", ReviewState.UNASSIGNED, None, date(2026, 12, 3)),
        # Four business days overdue: one more than escalation waits for.
        ("hr-screening", "risk", ReviewState.ASSIGNED, "ravi", date(2026, 11, 26)),
    ]
    assert ReadinessRequest.objects.filter(state=RequestState.CHANGES_REQUESTED).count() == 1


def test_seed_twice_duplicates_nothing(people, demo_use_cases):
    demo_requests_seed(users=people, use_cases=demo_use_cases)
    counts = (ReadinessRequest.objects.count(), Review.objects.count())
    stages = dict(UseCase.objects.values_list("slug", "stage"))
    demo_requests_seed(users=people, use_cases=demo_use_cases)
    assert (ReadinessRequest.objects.count(), Review.objects.count()) == counts
    assert dict(UseCase.objects.values_list("slug", "stage")) == stages


def test_seed_with_no_use_cases_does_nothing(people):
    assert demo_requests_seed(users=people, use_cases={}) == []
    assert not ReadinessRequest.objects.exists()
