"""Findings over the API, the same road as the pages."""

import pytest

from accounts.models import TokenScope
from governance.models import Finding
from tests import factories
from tests.governance.running import bearer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/findings/"


def post(client, url, data, **kwargs):
    return client.post(url, data, content_type="application/json", **kwargs)


def _raise(client, use_case, **extra):
    body = {
        "use_case": use_case.slug,
        "source": "monitoring",
        "severity": "critical",
        "title": "Complaint rate breach",
        "due_date": "2027-01-15",
        **extra,
    }
    return post(client, BASE, body)


def test_raise_remediate_validate(client, use_case, ravi, erin, rita):
    client.force_login(ravi)
    response = _raise(client, use_case)
    assert response.status_code == 201, response.content
    made = response.json()
    assert {k: made[k] for k in ("use_case", "severity", "state", "owner", "raised_by", "version", "due_date")} == {
        "use_case": use_case.slug,
        "severity": "critical",
        "state": "open",
        "owner": "erin",
        "raised_by": "ravi",
        "version": None,
        "due_date": "2027-01-15",
    }
    evidence = factories.ArtifactFactory(use_case=use_case, kind="other")
    client.force_login(erin)
    url = f"{BASE}{made['id']}/"
    response = post(
        client, f"{url}remediate/", {"remediation_notes": "Threshold retuned", "closure_evidence": evidence.pk}
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["closure_evidence_sha256"]) == ("remediated", evidence.sha256)

    client.force_login(rita)
    response = post(client, f"{url}validate/", {})
    assert (response.status_code, response.json()["state"], response.json()["validated_by"]) == (200, "closed", "rita")
    assert client.get(BASE, {"state": "closed"}).json()["count"] == 1
    assert client.get(BASE, {"scope": "unclosed"}).json()["count"] == 0


def test_unknown_owner_version_or_evidence_are_400s_naming_them(client, use_case, ravi, eric, credit, erin):
    client.force_login(ravi)
    assert _raise(client, use_case, owner="eric").json() == {"owner": ["eric is not an owner of this use case."]}
    assert _raise(client, use_case, version="9.9").json() == {"version": ["This use case has no version 9.9."]}
    assert _raise(client, use_case, severity="dire").status_code == 400
    assert not Finding.objects.exists()
    client.force_login(erin)
    made = _raise(client, use_case).json()
    other = factories.ArtifactFactory(use_case=credit, kind="other")
    response = post(client, f"{BASE}{made['id']}/remediate/", {"remediation_notes": "x", "closure_evidence": other.pk})
    assert response.json() == {"closure_evidence": ["No such artifact of this use case."]}


def test_a_pipeline_token_cannot_validate(client, use_case, ravi, erin, rita):
    client.force_login(ravi)
    made = _raise(client, use_case).json()
    client.force_login(erin)
    post(client, f"{BASE}{made['id']}/remediate/", {"remediation_notes": "x"})
    client.logout()
    response = post(client, f"{BASE}{made['id']}/validate/", {}, headers=bearer(rita, TokenScope.PUSH))
    assert response.status_code == 403
    assert Finding.objects.get().state == Finding.State.REMEDIATED
    response = post(client, f"{BASE}{made['id']}/validate/", {}, headers=bearer(rita, TokenScope.REVIEW))
    assert response.status_code == 200


def test_bad_ids_are_404s(client, erin):
    client.force_login(erin)
    assert client.get(f"{BASE}99999999999999999999/").status_code == 404
    assert client.get(f"{BASE}0/").status_code == 404
