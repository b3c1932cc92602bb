"""A second-line lead suspends a use case: the run gate denies at once, the owners hear of it, nobody else may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding, Suspension
from governance.services import finding_raise, use_case_suspend
from notifications.models import Notification
from signoff import services
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(use_case, erin):
    """erin's use case with a version approved and running at stage 1."""
    supply_evidence(use_case, 1)
    services.readiness_request_submit(
        request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
    )
    use_case.refresh_from_db()
    return use_case


def gate_allowed(client, slug: str, stage: int) -> tuple[bool, list[dict]]:
    body = client.get(f"/api/v1/use-cases/{slug}/gate/", {"stage": stage}).json()
    return body["allowed"], body["requirements"]


def test_a_risk_lead_suspends_and_the_gate_denies_at_once(client, running, erin, rita):
    client.force_login(erin)
    assert gate_allowed(client, running.slug, 1)[0] is True

    suspension = use_case_suspend(use_case=running, actor=rita, reason="Drift on the complaints metric")

    allowed, requirements = gate_allowed(client, running.slug, 1)
    assert allowed is False
    assert requirements[-1] == {
        "key": "governance.not_suspended",
        "met": False,
        "detail": f"Suspended since {suspension.suspended_at:%Y-%m-%d}: Drift on the complaints metric",
    }
    event = AuditEvent.objects.get(verb=Verb.USE_CASE_SUSPENDED)
    assert (event.actor_id, event.use_case_id, event.changes["reason"]) == (
        rita.pk,
        running.pk,
        "Drift on the complaints metric",
    )
    assert list(Notification.objects.filter(kind="suspended").values_list("user__username", "title")) == [
        ("erin", "Support ticket summaries is suspended")
    ]


@pytest.mark.parametrize("who", ["erin", "ravi", "audrey"])
def test_only_a_second_line_lead_suspends(request, running, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        use_case_suspend(use_case=running, actor=actor, reason="no")
    assert Suspension.objects.count() == 0
    assert not AuditEvent.objects.filter(verb=Verb.USE_CASE_SUSPENDED).exists()


def test_a_suspension_needs_a_reason_and_stands_once(running, rita, carl):
    with pytest.raises(ValidationError) as caught:
        use_case_suspend(use_case=running, actor=rita, reason="   ")
    assert caught.value.message_dict == {"reason": ["Say why the use case is suspended."]}
    use_case_suspend(use_case=running, actor=rita, reason="First")
    with pytest.raises(ValidationError) as caught:
        use_case_suspend(use_case=running, actor=carl, reason="Second")
    assert caught.value.messages == ["This use case is already suspended."]
    assert list(Suspension.objects.values_list("reason", flat=True)) == ["First"]


def test_a_finding_is_raised_for_its_owner(running, erin, ravi):

    finding = finding_raise(
        use_case=running,
        actor=ravi,
        source=Finding.Source.VALIDATION,
        severity="high",
        title="Calibration drifts for thin files",
        description="See the validation report.",
        due_date=datetime.date(2027, 1, 31),
    )
    assert (finding.owner, finding.state, finding.raised_by) == (erin, Finding.State.OPEN, ravi)
    assert AuditEvent.objects.get(verb=Verb.FINDING_RAISED).changes["severity"] == "high"
    assert Notification.objects.get(kind="finding").user == erin


def test_a_finding_is_refused_to_an_engineer_who_does_not_own_the_use_case(running, eric):

    with pytest.raises(PermissionDenied):
        finding_raise(
            use_case=running,
            actor=eric,
            source=Finding.Source.REVIEW,
            severity="low",
            title="x",
            description="",
            due_date=datetime.date(2027, 1, 31),
        )
    assert Finding.objects.count() == 0
