"""A change that lowers the EU or internal tier after stage 0 waits for the risk function; the classification in
force stays until it approves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import InternalTier, RiskAssessment, Stage, Tier, UseCase
from lifecycle.selectors import assessment_current
from lifecycle.services import classification_change_decide, risk_assessment_record
from signoff.gates import gate_evaluate
from tests import factories
from tests.lifecycle.helpers import answers

pytestmark = pytest.mark.django_db
State = RiskAssessment.State
HIGH = {"Q10": {"areas": ["credit_scoring"], "rationale": "Credit."}, "Q11": {"answer": True, "rationale": "Profiles."}}


def _at_stage(use_case: UseCase, stage: int) -> UseCase:
    UseCase.objects.filter(pk=use_case.pk).update(stage=stage)
    return UseCase.objects.get(pk=use_case.pk)


@pytest.fixture
def high(erin):
    use_case = factories.UseCaseFactory(technical_owner=erin, regulated_decision=True, processes_personal_data=True)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(**HIGH), is_final=True)
    return _at_stage(use_case, Stage.GUARDED)


def test_a_downgrade_takes_effect_only_after_risk_approves(high, erin, ravi, client):
    in_force = assessment_current(high)
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    high.refresh_from_db()
    assert lower.state == State.PENDING
    assert (high.risk_tier, high.internal_tier) == (Tier.HIGH, InternalTier.HIGH)
    assert assessment_current(high) == in_force
    assert gate_evaluate(use_case=high, target_stage=3).requirements  # the gate reads the classification in force
    assert AuditEvent.objects.filter(verb=Verb.CLASSIFICATION_CHANGE_REQUESTED, object_id=str(lower.pk)).count() == 1
    assert ravi.notifications.filter(title__startswith="Classification change to approve").count() == 1

    client.force_login(ravi)
    page = client.get(high.get_absolute_url()).content.decode()
    assert "A lower classification awaits the risk function" in page
    response = client.post(f"/use-cases/{high.slug}/classification/{lower.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    high.refresh_from_db()
    lower.refresh_from_db()
    assert (lower.state, lower.decided_by) == (State.IN_FORCE, ravi)
    assert high.risk_tier == Tier.MINIMAL
    assert assessment_current(high) == lower
    event = AuditEvent.objects.get(verb=Verb.CLASSIFICATION_CHANGE_APPROVED)
    assert event.changes["tier"] == [Tier.HIGH, Tier.MINIMAL]


def test_a_rejected_downgrade_leaves_the_old_classification(high, erin, rita):
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    with pytest.raises(ValidationError) as caught:
        classification_change_decide(assessment=lower, actor=rita, approve=False, note="")
    assert "note" in caught.value.message_dict
    classification_change_decide(assessment=lower, actor=rita, approve=False, note="Still profiles applicants.")
    high.refresh_from_db()
    lower.refresh_from_db()
    assert lower.state == State.REJECTED
    assert high.risk_tier == Tier.HIGH
    assert erin.notifications.filter(title__startswith="Classification change rejected").count() == 1
    with pytest.raises(ValidationError, match="not awaiting a decision"):
        classification_change_decide(assessment=lower, actor=rita, approve=True)


@pytest.mark.parametrize("who", ["erin", "eric", "carl", "audrey"])
def test_only_the_risk_function_decides_and_never_an_owner(high, erin, request, who):
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    with pytest.raises(PermissionDenied):
        classification_change_decide(assessment=lower, actor=request.getfixturevalue(who), approve=True)
    lower.refresh_from_db()
    assert lower.state == State.PENDING
    assert UseCase.objects.get(pk=high.pk).risk_tier == Tier.HIGH


def test_a_risk_member_who_owns_the_use_case_may_not_approve_its_downgrade(high, erin, ravi):
    UseCase.objects.filter(pk=high.pk).update(business_owner=ravi)
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    with pytest.raises(PermissionDenied, match="own this use case"):
        classification_change_decide(assessment=lower.__class__.objects.get(pk=lower.pk), actor=ravi, approve=True)


def test_at_stage_zero_or_going_up_it_applies_at_once(erin):
    use_case = factories.UseCaseFactory(technical_owner=erin)
    first = risk_assessment_record(use_case=use_case, actor=erin, answers=answers(**HIGH), is_final=False)
    lower = risk_assessment_record(use_case=use_case, actor=erin, answers=answers(), is_final=False)
    assert (first.state, lower.state) == (State.IN_FORCE, State.IN_FORCE)
    use_case = _at_stage(use_case, Stage.SANDBOX)
    higher = risk_assessment_record(use_case=use_case, actor=erin, answers=answers(**HIGH), is_final=True)
    assert higher.state == State.IN_FORCE
    assert UseCase.objects.get(pk=use_case.pk).risk_tier == Tier.HIGH


def test_a_later_assessment_withdraws_a_pending_change(high, erin):
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    again = risk_assessment_record(use_case=high, actor=erin, answers=answers(**HIGH), is_final=True)
    lower.refresh_from_db()
    assert (lower.state, again.state) == (State.WITHDRAWN, State.IN_FORCE)


def test_the_api_decides_with_a_person_and_refuses_others(high, erin, ravi, eric):
    lower = risk_assessment_record(use_case=high, actor=erin, answers=answers(), is_final=True)
    url = f"/api/v1/use-cases/{high.slug}/risk-assessments/{lower.pk}/decide/"
    outsider = APIClient()
    outsider.force_authenticate(eric)
    assert outsider.post(url, {"approve": True}, format="json").status_code == 403
    risk = APIClient()
    risk.force_authenticate(ravi)
    assert risk.post(url, {"approve": False}, format="json").status_code == 400
    body = risk.post(url, {"approve": True, "note": "Exempt under 6(3)."}, format="json").json()
    assert (body["state"], body["decided_by"], body["tier"]) == ("in_force", "ravi", "minimal")
