"""Findings to validated closure: the owner remediates, the second line validates or reopens; refusals change no row."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding
from governance.services import finding_raise, finding_remediate, finding_reopen, finding_validate
from notifications.models import Notification
from signoff import services
from signoff.gates import gate_evaluate
from signoff.models import Reminder
from signoff.reminders import reviews_sweep_due
from tests import factories
from tests.signoff.helpers import supply_evidence

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 12, 14)  # a Monday


def _raise(use_case, actor, severity="high", **kwargs):
    return finding_raise(
        use_case=use_case,
        actor=actor,
        source=Finding.Source.VALIDATION,
        severity=severity,
        title="Calibration drifts for thin files",
        description="See the validation report.",
        due_date=DUE,
        **kwargs,
    )


@pytest.fixture
def finding(use_case, ravi):
    return _raise(use_case, ravi)


def test_remediated_by_its_owner_then_validated_closed_by_the_second_line(finding, erin, ravi, carl):
    evidence = factories.ArtifactFactory(use_case=finding.use_case, original_name="recalibration.pdf")
    finding = finding_remediate(finding=finding, actor=erin, notes=" Recalibrated on 2026 data ", evidence=evidence)
    assert (finding.state, finding.remediation_notes, finding.closure_evidence) == (
        Finding.State.REMEDIATED,
        "Recalibrated on 2026 data",
        evidence,
    )
    assert AuditEvent.objects.get(verb=Verb.FINDING_REMEDIATED).changes == {
        "state": ["open", "remediated"],
        "remediation_notes": "Recalibrated on 2026 data",
        "closure_evidence": evidence.sha256,
    }
    # ravi raised it and hears that it waits for validation.
    assert Notification.objects.filter(user=ravi, kind="finding").count() == 1

    finding = finding_validate(finding=finding, actor=carl, comment="Checked the back-test")
    assert (finding.state, finding.validated_by) == (Finding.State.CLOSED, carl)
    assert AuditEvent.objects.get(verb=Verb.FINDING_CLOSED).changes == {
        "state": ["remediated", "closed"],
        "comment": "Checked the back-test",
    }
    assert Notification.objects.filter(user=erin, title__startswith="Closed:").count() == 1


def test_the_second_line_reopens_with_a_reason(finding, erin, rita):
    finding_remediate(finding=finding, actor=erin, notes="Done")
    with pytest.raises(ValidationError) as caught:
        finding_reopen(finding=finding, actor=rita, reason=" ")
    assert caught.value.message_dict == {"reason": ["Say why the finding is reopened."]}
    finding = finding_reopen(finding=finding, actor=rita, reason="The back-test still fails for 2025")
    assert (finding.state, finding.validated_by) == (Finding.State.OPEN, None)
    assert AuditEvent.objects.get(verb=Verb.FINDING_REOPENED).changes["reason"] == "The back-test still fails for 2025"
    with pytest.raises(ValidationError, match="already open"):
        finding_reopen(finding=finding, actor=rita, reason="again")


def test_validation_needs_a_remediation_first(finding, rita):
    with pytest.raises(ValidationError, match="Only a remediated finding can be validated closed"):
        finding_validate(finding=finding, actor=rita)
    assert Finding.objects.get().state == Finding.State.OPEN


def test_remediation_needs_notes_and_evidence_of_this_use_case(finding, erin, credit):
    with pytest.raises(ValidationError) as caught:
        finding_remediate(finding=finding, actor=erin, notes="  ")
    assert caught.value.message_dict == {"remediation_notes": ["Say what was done to remediate the finding."]}
    elsewhere = factories.ArtifactFactory(use_case=credit, kind="other")
    with pytest.raises(ValidationError) as caught:
        finding_remediate(finding=finding, actor=erin, notes="Done", evidence=elsewhere)
    assert caught.value.message_dict == {"closure_evidence": ["That evidence belongs to another use case."]}
    assert Finding.objects.get().state == Finding.State.OPEN


@pytest.mark.parametrize("who", ["eric", "ravi", "audrey", "admin_user"])
def test_only_the_owners_remediate(request, finding, who):
    with pytest.raises(PermissionDenied):
        finding_remediate(finding=finding, actor=request.getfixturevalue(who), notes="Done")
    assert Finding.objects.get().state == Finding.State.OPEN


@pytest.mark.parametrize("who", ["erin", "eric", "audrey", "admin_user"])
def test_only_the_second_line_validates_and_never_an_owner(request, finding, who):
    finding_remediate(finding=finding, actor=finding.owner, notes="Done")
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        finding_validate(finding=finding, actor=actor)
    with pytest.raises(PermissionDenied):
        finding_reopen(finding=finding, actor=actor, reason="no")
    assert Finding.objects.get().state == Finding.State.REMEDIATED


def test_a_reviewer_who_owns_the_use_case_does_not_validate_its_finding(use_case, ravi, rita):
    use_case.business_owner = rita
    use_case.save()
    finding = _raise(use_case, ravi)
    finding_remediate(finding=finding, actor=finding.owner, notes="Done")
    with pytest.raises(PermissionDenied, match="another member of the second line validates it"):
        finding_validate(finding=finding, actor=rita)


def test_open_high_findings_block_promotion_until_closed(use_case, erin, ravi, carl):
    supply_evidence(use_case, 1)
    low = _raise(use_case, ravi, severity="low")
    assert "governance.findings_closed" not in {
        r.key for r in gate_evaluate(use_case=use_case, target_stage=1).requirements
    }
    high = _raise(use_case, ravi, severity="critical")
    blocking = {r.key: r for r in gate_evaluate(use_case=use_case, target_stage=1).requirements}[
        "governance.findings_closed"
    ]
    assert blocking.met is False
    assert blocking.detail == (
        f"1 high or critical finding not yet closed by the second line: #{high.pk} critical: "
        "Calibration drifts for thin files (open)."
    )
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1)
    with pytest.raises(ValidationError):
        services.readiness_request_submit(request=request, actor=erin)

    finding_remediate(finding=high, actor=erin, notes="Fixed")
    assert not {r.key: r for r in gate_evaluate(use_case=use_case, target_stage=1).requirements}[
        "governance.findings_closed"
    ].met  # remediated is not closed: the second line has not validated it
    finding_validate(finding=high, actor=carl)
    assert gate_evaluate(use_case=use_case, target_stage=1).ready_to_submit
    services.readiness_request_submit(request=request, actor=erin)
    assert low.state == Finding.State.OPEN


def test_open_findings_are_reminded_then_escalated_to_the_risk_leads(finding, erin, rita):
    reviews_sweep_due(today=DUE - datetime.timedelta(days=3))  # the Friday before: due Monday, one business day
    reminder = Notification.objects.get(user=erin, kind="reminder")
    assert reminder.title == (
        "Reminder: High finding on “Support ticket summaries”: Calibration drifts for thin files is due Mon 14 Dec 2026"
    )
    assert reminder.url == finding.get_absolute_url()

    reviews_sweep_due(today=DUE + datetime.timedelta(days=3))  # Thursday: three business days overdue
    escalation = Notification.objects.get(kind="escalation")
    assert (escalation.user, escalation.title) == (
        rita,
        "Escalation: remediation of a High finding on “Support ticket summaries”: "
        "Calibration drifts for thin files is 3 business days overdue",
    )
    assert set(Reminder.objects.filter(item_type="finding").values_list("kind", "sequence")) == {
        ("before_due", 0),
        ("overdue", 3),
        ("escalation", 0),
    }


def test_a_remediated_finding_is_not_reminded(finding, erin):
    finding_remediate(finding=finding, actor=erin, notes="Done")
    reviews_sweep_due(today=DUE + datetime.timedelta(days=3))
    assert not Notification.objects.filter(kind__in=["reminder", "escalation"]).exists()
