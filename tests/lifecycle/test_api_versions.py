import pytest

from audit.models import AuditEvent
from lifecycle.models import ModelVersion
from tests import factories
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db
HASH = "0123456789abcdef" * 4


def _url(use_case):
    return f"/api/v1/use-cases/{use_case.slug}/versions/"


def _payload(**changes):
    payload = {
        "label": "2.0.0",
        "provider": "Mistral AI",
        "model_identifier": "mistral-large-2411",
        "config_hash": HASH,
        "agent_tools": ["search_kb"],
        "guardrails": "PII redaction",
        "metrics": [
            {"name": "faithfulness", "value": 0.95, "threshold": 0.9},
            {"name": "p95_s", "value": 2, "threshold": 3, "direction": "lte"},
        ],
    }
    payload.update(changes)
    return payload


def test_create_and_list(erin, use_case):
    client = bearer_client(erin)
    response = client.post(_url(use_case), _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["label"] == "2.0.0" and body["created_by"] == "erin"
    assert [(m["name"], m["direction"], m["passes"]) for m in body["metrics"]] == [
        ("faithfulness", "gte", True),
        ("p95_s", "lte", True),
    ]
    listed = client.get(_url(use_case)).json()
    assert [v["label"] for v in listed] == ["2.0.0"]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"config_hash": "abc"}, {"config_hash": ["Give the SHA-256 as 64 hexadecimal characters."]}),
        (
            {"metrics": [{"name": "x", "value": "high", "threshold": 1}]},
            {"metrics": {"0": {"value": ["A valid number is required."]}}},
        ),
        (
            {"metrics": [{"name": "x", "value": 1, "threshold": 1, "direction": "eq"}]},
            {"metrics": {"0": {"direction": ['"eq" is not a valid choice.']}}},
        ),
        (
            {"metrics": [{"name": "x", "value": 1, "threshold": 1}, {"name": "x", "value": 2, "threshold": 1}]},
            {"metrics": ["Each metric may appear only once."]},
        ),
        ({"agent_tools": "search_kb"}, {"agent_tools": ['Expected a list of items but got type "str".']}),
        ({"label": ""}, {"label": ["This field may not be blank."]}),
    ],
)
def test_bad_input_is_400(erin, use_case, changes, errors):
    response = bearer_client(erin).post(_url(use_case), _payload(**changes), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not ModelVersion.objects.exists()


def test_the_same_label_and_digests_again_is_the_same_version(erin, use_case):
    client = bearer_client(erin)
    first = client.post(_url(use_case), _payload(), format="json")
    events = AuditEvent.objects.count()
    again = client.post(_url(use_case), _payload(provider="Other words", metrics=[]), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ModelVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_the_same_label_with_other_digests_is_a_409_naming_them(erin, use_case):
    client = bearer_client(erin)
    client.post(_url(use_case), _payload(), format="json")
    response = client.post(
        _url(use_case), _payload(config_hash="b" * 64, model_identifier="mistral-small"), format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Version 2.0.0 is already registered with other digests (model mistral-large-2411 here, mistral-small sent; "
        f"configuration sha256:{HASH} here, sha256:{'b' * 64} sent); versions are never changed: "
        "give the new one a new label."
    )
    assert ModelVersion.objects.get().config_hash == HASH


@pytest.mark.parametrize(("who", "status"), [("eric", 403), ("audrey", 403), ("nobody", 404)])
def test_others_cannot_create(request, use_case, who, status):
    assert (
        bearer_client(request.getfixturevalue(who)).post(_url(use_case), _payload(), format="json").status_code
        == status
    )
    assert not ModelVersion.objects.exists()


def test_auditor_can_list(audrey, use_case):
    factories.ModelVersionFactory(use_case=use_case)
    assert len(bearer_client(audrey).get(_url(use_case)).json()) == 1
