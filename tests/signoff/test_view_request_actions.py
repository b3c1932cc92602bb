"""Submit, resubmit, withdraw and accept from the request page: the right person, and nobody else."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Tier
from signoff import services
from signoff.models import Decision, ReadinessRequest, RequestState
from tests.signoff.helpers import high_risk_use_case, reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db


def post(client, name, request, data=None):
    return client.post(reverse(f"signoff:{name}", args=[request.pk]), data or {})


def test_withdraw_by_submitter(client, erin, in_review):
    client.force_login(erin)
    response = post(client, "request-withdraw", in_review, {"reason": "Wrong version"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.state == RequestState.WITHDRAWN


@pytest.mark.parametrize("who", ["eric", "rita", "audrey"])
def test_withdraw_requires_submitter_or_owner(client, in_review, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert post(client, "request-withdraw", in_review).status_code == 403
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED
    assert AuditEvent.objects.get(verb=Verb.ACCESS_REFUSED).actor == user


def test_withdraw_twice_says_why(client, erin, in_review):
    client.force_login(erin)
    assert post(client, "request-withdraw", in_review).status_code == 302
    response = post(client, "request-withdraw", in_review, {})
    assert response.status_code == 400
    assert "This request is closed (withdrawn)." in response.content.decode()


def test_submit_a_draft(client, erin, credit, rita, carl, lena):
    draft = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    client.force_login(erin)
    assert post(client, "request-submit", draft).status_code == 302
    draft.refresh_from_db()
    assert draft.state == RequestState.SUBMITTED


def test_submit_refused_for_outsiders(client, eric, erin, credit):
    draft = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    client.force_login(eric)
    assert post(client, "request-submit", draft).status_code == 403
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT


def test_resubmit_after_changes(client, erin, eric, rita, in_review):
    services.review_decide(
        review=reviews_by_function(in_review)["risk"], actor=rita, decision=Decision.REQUEST_CHANGES, comment="More"
    )
    client.force_login(eric)
    assert post(client, "request-resubmit", in_review).status_code == 403
    client.force_login(erin)
    assert post(client, "request-resubmit", in_review).status_code == 302
    in_review.refresh_from_db()
    assert (in_review.state, in_review.revision) == (RequestState.RESUBMITTED, 2)


def test_accept_by_business_owner_only(client, erin, bob, rita, ravi):
    from django.utils import timezone

    from lifecycle.models import UseCase

    use_case = high_risk_use_case(erin, bob, stage=3)
    supply_evidence(use_case, 4, tier=Tier.LIMITED)
    UseCase.objects.filter(pk=use_case.pk).update(revalidation_due=timezone.localdate().replace(year=2100))
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=4)
    request = services.readiness_request_submit(request=request, actor=erin)
    client.force_login(erin)
    assert post(client, "request-accept", request).status_code == 403
    client.force_login(bob)
    assert post(client, "request-accept", request).status_code == 302
    assert ReadinessRequest.objects.get(pk=request.pk).owner_accepted_by == bob


def test_actions_are_post_only(client, erin, in_review):
    client.force_login(erin)
    assert client.get(reverse("signoff:request-withdraw", args=[in_review.pk])).status_code == 405


def test_unknown_request_is_404(client, erin):
    client.force_login(erin)
    assert client.post(reverse("signoff:request-withdraw", args=[424242])).status_code == 404


def test_submit_with_missing_evidence_is_400_and_says_what(client, erin, use_case):
    from tests import factories

    factories.ModelVersionFactory(use_case=use_case)
    draft = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    client.force_login(erin)
    response = post(client, "request-submit", draft)
    assert response.status_code == 400
    assert "No risk classification yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == RequestState.DRAFT
