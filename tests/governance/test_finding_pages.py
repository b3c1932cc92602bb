"""The findings pages: raise from the use case, remediate, validate, reopen; the list and the use case's section."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding
from governance.services import finding_raise, finding_remediate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(use_case, ravi):
    return finding_raise(
        use_case=use_case,
        actor=ravi,
        source="audit",
        severity="critical",
        title="No rollback test on record",
        description="Internal audit 2026-14.",
        due_date=datetime.date(2026, 12, 14),
    )


def test_a_reviewer_raises_a_finding_from_the_use_case_page(client, use_case, ravi, erin):
    client.force_login(ravi)
    page = client.get(use_case.get_absolute_url()).content.decode()
    url = reverse("governance:finding-raise", args=[use_case.slug])
    assert f'href="{url}"' in page
    response = client.post(
        url,
        {
            "title": "Prompt injection through ticket text",
            "source": "review",
            "severity": "high",
            "description": "Found in the red-team session.",
            "due_date": "2027-01-15",
        },
    )
    finding = Finding.objects.get()
    assert response.status_code == 302 and response["Location"] == finding.get_absolute_url()
    assert (finding.owner, finding.raised_by, finding.severity, finding.due_date) == (
        erin,
        ravi,
        "high",
        datetime.date(2027, 1, 15),
    )
    client.force_login(erin)
    page = client.get(use_case.get_absolute_url()).content.decode()
    assert "Prompt injection through ticket text" in page


def test_a_finding_without_a_title_or_date_is_refused_by_name(client, use_case, ravi):
    client.force_login(ravi)
    response = client.post(reverse("governance:finding-raise", args=[use_case.slug]), {"source": "x"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "source", "severity", "description", "due_date"}
    assert not Finding.objects.exists()


def test_the_whole_road_on_the_finding_page(client, finding, erin, carl):
    evidence = factories.ArtifactFactory(use_case=finding.use_case, kind="other", original_name="rollback-test.pdf")
    client.force_login(erin)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "Record the remediation" in page and "Validate the closure" not in page
    response = client.post(
        reverse("governance:finding-remediate", args=[finding.pk]),
        {"remediation_notes": "Rollback rehearsed in staging", "closure_evidence": evidence.pk},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.state, finding.closure_evidence) == (Finding.State.REMEDIATED, evidence)

    client.force_login(carl)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "rollback-test.pdf" in page and "Validate the closure" in page and "Record the remediation" not in page
    assert client.post(reverse("governance:finding-validate", args=[finding.pk]), {}).status_code == 302
    finding.refresh_from_db()
    assert (finding.state, finding.validated_by) == (Finding.State.CLOSED, carl)
    page = client.get(finding.get_absolute_url()).content.decode()
    assert "Closed (validated)" in page and "Reopen the finding" in page

    response = client.post(reverse("governance:finding-reopen", args=[finding.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["reopen_form"].errors == {"reason": ["This field is required."]}


def test_an_engineer_who_does_not_own_it_may_not_remediate(client, finding, eric):
    client.force_login(eric)
    response = client.post(reverse("governance:finding-remediate", args=[finding.pk]), {"remediation_notes": "x"})
    assert response.status_code == 403
    assert Finding.objects.get().state == Finding.State.OPEN
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == 1


def test_the_owner_may_not_validate_her_own_remediation(client, finding, erin):
    finding_remediate(finding=finding, actor=erin, notes="Done")
    client.force_login(erin)
    assert client.post(reverse("governance:finding-validate", args=[finding.pk]), {}).status_code == 403
    assert Finding.objects.get().state == Finding.State.REMEDIATED


def test_nobody_without_a_role_sees_no_finding(client, finding, nobody):
    client.force_login(nobody)
    assert client.get(finding.get_absolute_url()).status_code == 404


def test_the_list_filters_mine_and_severity(client, finding, use_case, erin, ravi):
    finding_raise(
        use_case=use_case,
        actor=ravi,
        source="monitoring",
        severity="low",
        title="Latency above target",
        description="",
        due_date=datetime.date(2027, 2, 1),
    )
    client.force_login(erin)
    url = reverse("governance:finding-list")
    assert [f.title for f in client.get(url).context["findings"]] == [
        "No rollback test on record",
        "Latency above target",
    ]
    assert [f.title for f in client.get(url, {"severity": "low"}).context["findings"]] == ["Latency above target"]
    finding_remediate(finding=finding, actor=erin, notes="Done")
    assert [f.title for f in client.get(url, {"scope": "mine"}).context["findings"]] == ["Latency above target"]
    response = client.get(url, {"severity": "urgent"})
    assert response.status_code == 200 and "severity" in response.context["form"].errors
