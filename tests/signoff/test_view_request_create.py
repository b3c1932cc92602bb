"""The page that asks for promotion, and its live checklist."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Stage, UseCase
from signoff.models import ReadinessRequest, RequestState

pytestmark = pytest.mark.django_db


def url(use_case) -> str:
    return reverse("signoff:request-create", args=[use_case.slug])


def test_owner_sees_the_checklist_for_the_next_stage(client, erin, credit):
    client.force_login(erin)
    response = client.get(url(credit))
    assert response.status_code == 200
    assert response.context["checklist_stage"] == 3
    assert "Ready to submit" in response.content.decode()


def test_checklist_partial_for_htmx(client, erin, credit):
    client.force_login(erin)
    checklist = reverse("signoff:request-checklist", args=[credit.slug])
    response = client.get(checklist, {"target_stage": 4}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="checklist"')
    assert "one stage at a time" in body


def test_checklist_without_js_redirects_to_the_page(client, erin, credit):
    client.force_login(erin)
    response = client.get(reverse("signoff:request-checklist", args=[credit.slug]), {"target_stage": 3})
    assert response.status_code == 302
    assert response["Location"] == f"{url(credit)}?stage=3"


def test_submit_from_the_page(client, erin, credit, rita, carl, lena):
    client.force_login(erin)
    response = client.post(url(credit), {"target_stage": 3, "justification": "Pilot went well", "submit": "1"})
    request = ReadinessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == request.get_absolute_url()
    assert request.state == RequestState.SUBMITTED
    assert request.justification == "Pilot went well"


def test_skipping_a_stage_shows_the_error_next_to_the_field(client, erin, credit):
    client.force_login(erin)
    response = client.post(url(credit), {"target_stage": 4, "draft": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "target_stage": [
            "Promotion goes one stage at a time: from 2 · Controlled production the next stage is 3, not 4."
        ]
    }
    assert not ReadinessRequest.objects.exists()


def test_missing_evidence_keeps_a_draft_and_says_what_is_missing(client, erin, use_case):
    from tests import factories

    factories.ModelVersionFactory(use_case=use_case)
    client.force_login(erin)
    response = client.post(url(use_case), {"target_stage": 1, "submit": "1"}, follow=True)
    assert response.status_code == 200
    request = ReadinessRequest.objects.get()
    assert request.state == RequestState.DRAFT
    assert "No risk classification yet" in response.content.decode()


def test_stage_one_is_promoted_at_once(client, erin, use_case):
    from tests.signoff.helpers import supply_evidence

    supply_evidence(use_case, 1)
    client.force_login(erin)
    response = client.post(url(use_case), {"target_stage": 1, "submit": "1"})
    assert response.status_code == 302
    assert response["Location"] == ReadinessRequest.objects.get(state=RequestState.APPROVED).get_absolute_url()
    assert UseCase.objects.get(pk=use_case.pk).stage == Stage.SANDBOX


@pytest.mark.parametrize("who", ["eric", "rita", "audrey"])
def test_it_requires_ownership(client, credit, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url(credit)).status_code == 403
    assert client.post(url(credit), {"target_stage": 3, "submit": "1"}).status_code == 403
    assert not ReadinessRequest.objects.exists()
    # The refused read is not a permanent row; the refused write is one.
    assert AuditEvent.objects.get(verb=Verb.ACCESS_REFUSED).actor == user


def test_no_role_gets_404(client, nobody, credit):
    client.force_login(nobody)
    assert client.get(url(credit)).status_code == 404
    assert client.get(reverse("signoff:request-checklist", args=[credit.slug])).status_code == 404


def test_unknown_use_case_is_404(client, erin):
    client.force_login(erin)
    assert client.get(reverse("signoff:request-create", args=["no-such-thing"])).status_code == 404
