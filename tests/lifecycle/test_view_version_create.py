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


def test_the_configuration_sha256_is_computed_from_a_file_or_pasted_text(client, use_case, erin):
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(erin)
    prompt = b"You draft claim letters. Never promise a payout.\n"
    by_file = client.post(
        _url(use_case), {**_data(config_hash=""), "config_file": SimpleUploadedFile("prompt.yaml", prompt)}
    )
    by_text = client.post(_url(use_case), _data(label="1.0.1", config_hash="", config_text="temperature: 0.2"))

    assert by_file.status_code == 302 and by_text.status_code == 302
    assert ModelVersion.objects.get(label="1.0.0").config_hash == hashlib.sha256(prompt).hexdigest()
    assert ModelVersion.objects.get(label="1.0.1").config_hash == hashlib.sha256(b"temperature: 0.2").hexdigest()


def test_a_typed_sha256_that_differs_from_the_file_is_refused(client, use_case, erin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(erin)
    response = client.post(_url(use_case), {**_data(), "config_file": SimpleUploadedFile("p.txt", b"other")})

    assert response.status_code == 400
    assert "This differs from the SHA-256 of what you gave below" in response.context["form"].errors["config_hash"][0]
    assert not ModelVersion.objects.exists()


def test_no_sha256_and_nothing_to_compute_it_from_is_refused(client, use_case, erin):
    client.force_login(erin)
    response = client.post(_url(use_case), _data(config_hash=""))
    assert response.status_code == 400
    assert response.context["form"].errors["config_hash"] == [
        "Give the SHA-256, or choose the configuration file or paste it to compute it."
    ]


def test_metrics_come_from_a_csv_file(client, use_case, erin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"name,value,threshold,direction\nfaithfulness,0.94,0.90,>=\ntoxicity,0.01,0.05,at most\n"
    client.force_login(erin)
    response = client.post(
        _url(use_case), {**_data(metrics=""), "metrics_file": SimpleUploadedFile("metrics.csv", csv, "text/csv")}
    )

    assert response.status_code == 302
    version = ModelVersion.objects.get()
    assert [(m.name, m.value, m.threshold, m.direction) for m in version.metrics.all()] == [
        ("faithfulness", 0.94, 0.9, "gte"),
        ("toxicity", 0.01, 0.05, "lte"),
    ]


def test_a_bad_csv_row_is_named(client, use_case, erin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(erin)
    response = client.post(
        _url(use_case),
        {
            **_data(metrics=""),
            "metrics_file": SimpleUploadedFile("m.csv", b"name,value,threshold,direction\nauc,x,1,>=\n"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["metrics_file"] == ["Row 2: value and threshold must be numbers."]
    assert not ModelVersion.objects.exists()
