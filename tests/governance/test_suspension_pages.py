"""The suspend and lift pages, and what the use case's page says of a suspension."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Suspension
from governance.services import use_case_suspend
from notifications.models import Notification
from tests.governance.running import gate_answer, running_at_stage_1

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(use_case, erin):
    return running_at_stage_1(use_case, erin)


def _suspend_url(use_case):
    return reverse("governance:use-case-suspend", args=[use_case.slug])


def _lift_url(use_case):
    return reverse("governance:suspension-lift", args=[use_case.slug])


def test_the_risk_lead_suspends_from_the_use_case_page_and_the_owner_sees_the_banner(client, running, rita, erin):
    client.force_login(rita)
    page = client.get(running.get_absolute_url()).content.decode()
    assert f'href="{_suspend_url(running)}"' in page
    assert "Suspended since" not in page

    response = client.post(_suspend_url(running), {"reason": "Complaints doubled overnight"})
    assert response.status_code == 302 and response["Location"] == running.get_absolute_url()
    assert Suspension.objects.get().suspended_by == rita

    client.force_login(erin)
    assert gate_answer(client, running.slug, 1)[0] is False
    page = client.get(running.get_absolute_url()).content.decode()
    assert '<h2 id="suspended-heading">Suspended</h2>' in page
    assert "Complaints doubled overnight" in page
    assert "by Rita" in page
    assert f'href="{_lift_url(running)}"' not in page  # the owner may not lift it
    assert Notification.objects.get(user=erin, kind="suspended").title == "Support ticket summaries is suspended"


def test_a_suspension_without_a_reason_is_refused_by_name(client, running, rita):
    client.force_login(rita)
    response = client.post(_suspend_url(running), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert not Suspension.objects.exists()


def test_suspending_twice_says_so(client, running, rita, carl):
    use_case_suspend(use_case=running, actor=rita, reason="First")
    client.force_login(carl)
    response = client.post(_suspend_url(running), {"reason": "Second"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["This use case is already suspended."]
    assert Suspension.objects.count() == 1


@pytest.mark.parametrize("who", ["erin", "ravi", "audrey", "admin_user"])
def test_only_a_lead_of_the_second_line_suspends(client, request, running, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_suspend_url(running)).status_code == 403
    assert client.post(_suspend_url(running), {"reason": "Because"}).status_code == 403
    assert not Suspension.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == 1


def test_the_lead_lifts_and_the_gate_allows_again(client, running, rita, erin):
    use_case_suspend(use_case=running, actor=rita, reason="Drift")
    client.force_login(rita)
    page = client.get(running.get_absolute_url()).content.decode()
    assert f'href="{_lift_url(running)}"' in page
    assert "Suspended since" in client.get(_lift_url(running)).content.decode()

    response = client.post(_lift_url(running), {"reason": "Recalibrated and validated by model risk"})
    assert response.status_code == 302
    suspension = Suspension.objects.get()
    assert (suspension.lifted_by, suspension.lift_reason) == (rita, "Recalibrated and validated by model risk")
    event = AuditEvent.objects.get(verb=Verb.SUSPENSION_LIFTED)
    assert (event.actor_id, event.changes) == (
        rita.pk,
        {"suspension": suspension.pk, "reason": "Recalibrated and validated by model risk"},
    )
    assert Notification.objects.get(user=erin, kind="lifted").body == "Recalibrated and validated by model risk"

    client.force_login(erin)
    assert gate_answer(client, running.slug, 1)[0] is True
    page = client.get(running.get_absolute_url()).content.decode()
    assert "suspended-heading" not in page
    assert "Recalibrated and validated by model risk" in page  # the history stays on the page


@pytest.mark.parametrize("who", ["erin", "ravi", "audrey", "admin_user"])
def test_only_the_second_line_lifts(client, request, running, rita, who):
    use_case_suspend(use_case=running, actor=rita, reason="Drift")
    client.force_login(request.getfixturevalue(who))
    assert client.post(_lift_url(running), {"reason": "I say so"}).status_code == 403
    assert Suspension.objects.get().lifted_at is None
    assert not AuditEvent.objects.filter(verb=Verb.SUSPENSION_LIFTED).exists()


def test_lifting_what_is_not_suspended_is_a_400(client, running, rita):
    client.force_login(rita)
    response = client.post(_lift_url(running), {"reason": "Nothing"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["This use case is not suspended."]
