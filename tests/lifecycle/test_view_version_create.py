import pytest
from django.urls import reverse

from lifecycle.models import ModelVersion

pytestmark = pytest.mark.django_db
HASH = "ab" * 32


def _url(use_case):
    return reverse("lifecycle:version-create", args=[use_case.slug])


def _data(**changes):
    data = {
        "label": "1.0.0",
        "provider": "Azure OpenAI",
        "model_identifier": "gpt-4o-2024-08-06",
        "config_hash": HASH,
        "agent_tools": "search_kb\n\ncreate_ticket\n",
        "guardrails": "PII redaction",
        "metrics": "faithfulness, 0.93, 0.90, >=\n\np95_latency_s, 2.1, 3, <=, critical",
    }
    data.update(changes)
    return data


def test_owner_adds_a_version_with_metrics(client, use_case, erin):
    client.force_login(erin)
    assert client.get(_url(use_case)).status_code == 200
    response = client.post(_url(use_case), _data())
    assert response.status_code == 302
    version = ModelVersion.objects.get()
    assert version.agent_tools == ["search_kb", "create_ticket"]
    assert [(m.name, m.value, m.threshold, m.direction, m.critical) for m in version.metrics.all()] == [
        ("faithfulness", 0.93, 0.9, "gte", False),
        ("p95_latency_s", 2.1, 3.0, "lte", True),
    ]


HEX = "Give the SHA-256 as 64 hexadecimal characters."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"config_hash": "xyz"}, "config_hash", HEX),
        ({"config_hash": "z" * 64}, "config_hash", HEX),
        ({"metrics": "auc, 0.8"}, "metrics", "Line 1: expected 'name, value, threshold, >= or <=' (four parts)."),
        ({"metrics": "auc, high, 0.8, >="}, "metrics", "Line 1: value and threshold must be numbers."),
        ({"metrics": "auc, nan, 0.8, >="}, "metrics", "Line 1: value and threshold must be finite numbers."),
        ({"metrics": "auc, 0.9, 0.8, =="}, "metrics", "Line 1: the direction must be '>=' or '<=', not '=='."),
        (
            {"metrics": "auc, 0.9, 0.8, >=, urgent"},
            "metrics",
            "Line 1: the fifth part may only be 'critical', not 'urgent'.",
        ),
        ({"metrics": "auc, 0.9, 0.8, >=\nauc, 0.9, 0.8, >="}, "metrics", "Line 2: 'auc' appears twice."),
        ({"label": ""}, "label", "This field is required."),
    ],
)
def test_bad_input_is_400_with_the_reason(client, use_case, erin, changes, field, message):
    client.force_login(erin)
    response = client.post(_url(use_case), _data(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert not ModelVersion.objects.exists()


def test_a_label_recorded_already_is_said_so(client, use_case, erin):
    client.force_login(erin)
    client.post(_url(use_case), _data())
    response = client.post(_url(use_case), _data(provider="Other"))
    assert response.status_code == 400
    assert response.context["form"].errors["label"] == [
        "Version 1.0.0 is already recorded with these digests; "
        "versions are never changed: give the new one a new label."
    ]
    assert ModelVersion.objects.get().provider == "Azure OpenAI"


def test_a_label_recorded_with_other_digests_is_a_conflict(client, use_case, erin):
    client.force_login(erin)
    client.post(_url(use_case), _data())
    response = client.post(_url(use_case), _data(config_hash="d" * 64))
    assert response.status_code == 409
    assert "already registered with other digests" in response.context["form"].errors["label"][0]
    assert ModelVersion.objects.get().config_hash == HASH


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_get_403(client, request, use_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(use_case), _data()).status_code == 403
    assert not ModelVersion.objects.exists()
