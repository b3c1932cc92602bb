"""The packet says how running governance stood at the approval: open findings, exceptions, next review."""

import datetime

import pytest

from governance.models import Finding, Incident, RequirementException
from governance.services import finding_raise, finding_remediate, incident_close, incident_record
from signoff.packets import packet_context
from signoff.packets.render import packet_html
from tests.signoff.packet_builders import approved_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(erin, rita, carl, lena):
    return approved_request(owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena})


def _raise(request, actor, title):
    return finding_raise(
        use_case=request.use_case,
        actor=actor,
        source="review",
        severity="medium",
        title=title,
        description="",
        due_date=datetime.date(2027, 3, 1),
    )


def test_the_packet_shows_what_stood_at_approval_and_nothing_since(approved, ravi, rita, erin):
    before = approved.decided_at - datetime.timedelta(hours=1)
    standing = _raise(approved, ravi, "Drift monitor thresholds undocumented")
    remediated = _raise(approved, ravi, "Escalation path unclear")
    finding_remediate(finding=remediated, actor=erin, notes="Documented")
    later = _raise(approved, ravi, "Raised after the approval")
    Finding.objects.filter(pk__in=[standing.pk, remediated.pk]).update(raised_at=before, remediated_at=None)
    Finding.objects.filter(pk=remediated.pk).update(remediated_at=before)
    RequirementException.objects.create(
        use_case=approved.use_case,
        requirement_key="evidence.communication_plan",
        reason="Plan under legal review",
        compensating_controls="Agents brief customers by script",
        expires_on=approved.decided_at.date() + datetime.timedelta(days=30),
        granted_by=rita,
        granted_at=before,
    )

    context = packet_context(request=approved)
    assert [s.anchor for s in context.sections][-3:] == ["governance", "audit", "verify"]
    html = packet_html(request=approved)
    assert '<section id="governance">' in html
    assert f"#{standing.pk} Drift monitor thresholds undocumented (Review)" in html
    assert "Remediated, awaiting validation" in html
    assert later.title not in html
    assert "Communication plan" in html and "Agents brief customers by script" in html
    approved.use_case.refresh_from_db()
    assert f"Due {approved.use_case.revalidation_due:%Y-%m-%d}." in html
    assert packet_html(request=approved) == html


def test_the_packet_lists_the_incidents_open_at_approval_and_none_closed_before_or_recorded_since(approved, erin, rita):
    before = approved.decided_at - datetime.timedelta(hours=2)

    def record(title, **extra):
        return incident_record(
            use_case=approved.use_case,
            actor=erin,
            title=title,
            description="x",
            detected_at=before,
            aware_at=before,
            **{"severity": Incident.Severity.MINOR, **extra},
        )

    serious = record("Denied loans to a postcode", severity=Incident.Severity.SERIOUS, clock=Incident.Clock.STANDARD)
    closed_before = record("Fixed before the approval")
    incident_close(incident=closed_before, actor=rita, root_cause="Bad deploy", corrective_actions="Rolled back")
    closed_after = record("Closed after the approval")
    incident_close(incident=closed_after, actor=rita, root_cause="Drift", corrective_actions="Retrained")
    later = record("Recorded after the approval")
    Incident.objects.filter(pk__in=[serious.pk, closed_before.pk, closed_after.pk]).update(recorded_at=before)
    Incident.objects.filter(pk=closed_before.pk).update(closed_at=before + datetime.timedelta(minutes=30))

    html = packet_html(request=approved)
    assert f"#{serious.pk} Denied loans to a postcode" in html
    assert f"Due {serious.report_due_on:%Y-%m-%d}" in html
    assert f"#{closed_after.pk} Closed after the approval" in html
    assert closed_before.title not in html and later.title not in html
    assert packet_html(request=approved) == html
