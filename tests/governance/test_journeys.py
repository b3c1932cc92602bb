"""Journeys of running governance, as people take them through the pages and the API, with time moving."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding
from notifications.models import Notification
from signoff.reminders import reviews_sweep_due
from tests import factories
from tests.governance.running import gate_answer, running_at_stage_1

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _on(day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(2027, 3, day, hour, tzinfo=LONDON), tick=False)


def test_critical_finding_suspension_remediation_validated_closure_and_lift(client, use_case, erin, ravi, rita, carl):
    with _on(1):  # Monday 1 March 2027: the use case runs at stage 1
        running = running_at_stage_1(use_case, erin)
        client.force_login(erin)
        assert gate_answer(client, running.slug, 1)[0] is True

        # Monitoring shows a critical problem: a risk reviewer raises the finding...
        client.force_login(ravi)
        response = client.post(
            "/api/v1/findings/",
            {
                "use_case": running.slug,
                "source": "monitoring",
                "severity": "critical",
                "title": "Summaries leak account numbers",
                "due_date": "2027-03-05",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        finding = Finding.objects.get(pk=response.json()["id"])

        # ...and the risk lead suspends at once: the pipeline's next gate call is denied.
        client.force_login(rita)
        assert (
            client.post(
                reverse("governance:use-case-suspend", args=[running.slug]), {"reason": f"Finding #{finding.pk}"}
            ).status_code
            == 302
        )
        client.force_login(erin)
        allowed, requirements = gate_answer(client, running.slug, 1)
        assert allowed is False
        assert (
            requirements["governance.not_suspended"]["detail"] == f"Suspended since 2027-03-01: Finding #{finding.pk}"
        )

    with _on(4):  # Thursday: due tomorrow, the owner is reminded
        reviews_sweep_due()
    assert Notification.objects.filter(user=erin, kind="reminder", url=finding.get_absolute_url()).count() == 1

    with _on(5):  # Friday: erin remediates with evidence; the suspension still stands
        evidence = factories.ArtifactFactory(use_case=running, kind="other", original_name="redaction-test.pdf")
        client.force_login(erin)
        response = client.post(
            reverse("governance:finding-remediate", args=[finding.pk]),
            {"remediation_notes": "Redaction filter added before summarising", "closure_evidence": evidence.pk},
        )
        assert response.status_code == 302
        assert gate_answer(client, running.slug, 1)[0] is False
        # The owner may not lift it herself.
        assert (
            client.post(reverse("governance:suspension-lift", args=[running.slug]), {"reason": "Fixed"}).status_code
            == 403
        )

    with _on(8):  # Monday: compliance validates the closure, the risk lead lifts, the gate allows
        client.force_login(carl)
        assert (
            client.post(reverse("governance:finding-validate", args=[finding.pk]), {"comment": "Re-tested"}).status_code
            == 302
        )
        client.force_login(rita)
        response = client.post(
            reverse("governance:suspension-lift", args=[running.slug]),
            {"reason": f"Finding #{finding.pk} closed after validation"},
        )
        assert response.status_code == 302
        client.force_login(erin)
        allowed, requirements = gate_answer(client, running.slug, 1)
        assert allowed is True and "governance.not_suspended" not in requirements
        reviews_sweep_due()  # a closed finding is reminded no more

    finding.refresh_from_db()
    assert (finding.state, finding.validated_by) == (Finding.State.CLOSED, carl)
    assert Notification.objects.filter(kind="reminder").count() == 1
    trail = [
        Verb.FINDING_RAISED,
        Verb.USE_CASE_SUSPENDED,
        Verb.FINDING_REMEDIATED,
        Verb.FINDING_CLOSED,
        Verb.SUSPENSION_LIFTED,
    ]
    recorded = AuditEvent.objects.filter(use_case_id=running.pk, verb__in=trail).order_by("seq")
    assert list(recorded.values_list("verb", "actor_id")) == [
        (Verb.FINDING_RAISED, ravi.pk),
        (Verb.USE_CASE_SUSPENDED, rita.pk),
        (Verb.FINDING_REMEDIATED, erin.pk),
        (Verb.FINDING_CLOSED, carl.pk),
        (Verb.SUSPENSION_LIFTED, rita.pk),
    ]
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED, use_case_id=running.pk).count() == 1
