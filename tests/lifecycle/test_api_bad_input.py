"""Whatever a client sends, the registry API answers 4xx with a reason and writes nothing; never 500.

A PATCH naming a field a use case does not have, or one only its own flow sets, is refused naming it: a
client that thinks it set something must hear that it did not.
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
    assert response.status_code == 400, response.content[:300]
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


@pytest.mark.parametrize(("query", "parameter"), [("limit=-1", "limit"), ("offset=abc", "offset")])
def test_junk_paging_is_a_400_naming_the_parameter(erin, use_case, query, parameter):
    response = bearer_client(erin).get(f"/api/v1/use-cases/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("stage=99999999999999999999", "stage"), ("tier=%00", "tier"), ("sort=__class__", "sort"), ("q=%00", "q")],
)
def test_junk_filters_are_a_400_naming_the_parameter(erin, use_case, query, parameter):
    response = bearer_client(erin).get(f"/api/v1/use-cases/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
