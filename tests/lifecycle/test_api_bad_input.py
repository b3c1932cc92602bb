"""Whatever a client sends, the registry API answers 4xx with a reason and writes nothing; never 500.

The one exception is a PATCH naming only fields the registry does not have: those are ignored, so it is a
200 that changes nothing.
"""

import pytest

from audit.models import AuditEvent
from lifecycle.models import Artifact, ModelVersion, RiskAssessment, UseCase
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db

JUNK = [
    "null",
    "[]",
    '"text"',
    "12",
    "{",
    '{"title": null, "purpose": null}',
    '{"title": {"a": 1}, "purpose": [1, 2]}',
    '{"answers": {"Q01": {"answer": [true]}}, "is_final": null}',
    '{"answers": {"Q10": {"areas": {"x": 1}}}, "is_final": true}',
    '{"metrics": [{"name": "x", "value": 1e400, "threshold": "NaN"}], "config_hash": 5}',
    '{"label": "' + "x" * 5000 + '"}',
    '{"agent_tools": [null, {}], "technical_owner": ["erin"]}',
]
ENDPOINTS = ["", "{slug}/versions/", "{slug}/risk-assessments/"]
# Objects whose every key is a field of some other resource, not of a use case.
UNKNOWN_FIELDS_ONLY = JUNK[7:11]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("body", JUNK)
def test_junk_json_is_a_4xx(erin, use_case, endpoint, body):
    client = bearer_client(erin)
    counts = (UseCase.objects.count(), ModelVersion.objects.count(), RiskAssessment.objects.count())
    response = client.generic(
        "POST", f"/api/v1/use-cases/{endpoint.format(slug=use_case.slug)}", body, "application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert (UseCase.objects.count(), ModelVersion.objects.count(), RiskAssessment.objects.count()) == counts


@pytest.mark.parametrize("body", JUNK)
def test_junk_patch_changes_nothing(erin, use_case, body):
    response = bearer_client(erin).generic("PATCH", f"/api/v1/use-cases/{use_case.slug}/", body, "application/json")
    # Fields the registry does not know are ignored (200); everything else is refused with a reason.
    assert response.status_code == (200 if body in UNKNOWN_FIELDS_ONLY else 400), response.content[:300]
    assert not AuditEvent.objects.filter(verb="use_case.updated").exists()
    assert UseCase.objects.get().updated_at == use_case.updated_at


@pytest.mark.parametrize("body", ["null", "12", "[]", '"text"', "{"])
def test_a_patch_that_is_not_an_object_is_a_400(erin, use_case, body):
    response = bearer_client(erin).generic("PATCH", f"/api/v1/use-cases/{use_case.slug}/", body, "application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("kind=other&file=notafile", "application/x-www-form-urlencoded", 400),
        # Files come as multipart: JSON is a media type the endpoint does not take.
        ('{"kind": "other", "file": "x"}', "application/json", 415),
        ("garbage", "multipart/form-data; boundary=nope", 400),
    ],
)
def test_junk_uploads_are_a_4xx(erin, use_case, data, content_type, status):
    response = bearer_client(erin).generic("POST", f"/api/v1/use-cases/{use_case.slug}/artifacts/", data, content_type)
    assert response.status_code == status
    assert not Artifact.objects.exists()


@pytest.mark.parametrize(
    "query", ["limit=-1", "offset=abc", "stage=99999999999999999999", "tier=%00", "sort=__class__"]
)
def test_junk_query_strings_are_harmless(erin, use_case, query):
    # A parameter that makes no sense is ignored: the whole list, as without it.
    response = bearer_client(erin).get(f"/api/v1/use-cases/?{query}")
    assert response.status_code == 200
    assert [u["slug"] for u in response.json()["results"]] == [use_case.slug]
