"""POST and GET /api/v1/use-cases/{slug}/versions/{label}/observations/."""

import pytest

from audit.models import AuditEvent
from audit.services import Verb
from governance.models import Finding, Observation, Suspension
from lifecycle.models import EvaluationMetric
from tests import factories
from tests.lifecycle.api_helpers import bearer_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(use_case):
    version = factories.ModelVersionFactory(use_case=use_case, label="1.4.0")
    factories.EvaluationMetricFactory(
        version=version, name="latency_p95", value=700, threshold=1000, direction=EvaluationMetric.Direction.AT_MOST
    )
    return version


def url(version) -> str:
    return f"/api/v1/use-cases/{version.use_case.slug}/versions/{version.label}/observations/"


BATCH = {
    "observations": [
        {
            "metric": "latency_p95",
            "value": 1250,
            "window_start": "2026-11-02T10:00:00Z",
            "window_end": "2026-11-02T11:00:00Z",
            "source": "prometheus",
        },
        {"metric": "escalation_rate", "value": 0.04, "window_end": "2026-11-02T11:00:00Z"},
    ]
}


def test_a_push_records_checks_and_answers_what_it_did(erin, version):
    client = bearer_client(erin)
    response = client.post(url(version), BATCH, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    finding = Finding.objects.get()
    assert (body["recorded"], body["breached"], body["findings_opened"], body["suspended"]) == (
        2,
        ["latency_p95"],
        [finding.pk],
        False,
    )
    assert [(o["metric"], o["threshold"], o["breach"], o["finding"]) for o in body["observations"]] == [
        ("latency_p95", 1000.0, True, finding.pk),
        ("escalation_rate", None, False, None),
    ]
    listed = client.get(url(version)).json()
    assert listed["count"] == 2
    assert [(o["metric"], o["value"], o["window_start"]) for o in listed["results"]] == [
        ("escalation_rate", 0.04, None),
        ("latency_p95", 1250.0, "2026-11-02T10:00:00Z"),
    ]


def test_a_retry_with_the_same_key_records_nothing_more(erin, version):
    client = bearer_client(erin)
    first = client.post(url(version), BATCH, format="json", HTTP_IDEMPOTENCY_KEY="run-42-step-7")
    again = client.post(url(version), BATCH, format="json", HTTP_IDEMPOTENCY_KEY="run-42-step-7")
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert Observation.objects.count() == 2
    assert AuditEvent.objects.filter(verb=Verb.OBSERVATIONS_RECORDED).count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"observations": []}, {"observations": {"non_field_errors": ["This list may not be empty."]}}),
        ({"observations": [{"metric": "x"}]}, {"observations": {"0": {"value": ["This field is required."]}}}),
        (
            {"observations": [{"metric": "x", "value": 1, "window_end": "yesterday"}]},
            {
                "observations": {
                    "0": {
                        "window_end": [
                            "Datetime has wrong format. Use one of these formats instead: "
                            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                        ]
                    }
                }
            },
        ),
        (
            {"observations": [{"metric": "x", "value": 1, "window_start": "2026-11-02T12:00:00Z"}]},
            {"observations": ["Observation 1: a window that starts needs an end."]},
        ),
    ],
)
def test_bad_batches_are_refused_naming_the_field(erin, version, body, errors):
    response = bearer_client(erin).post(url(version), body, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert not Observation.objects.exists()


def test_an_unknown_version_is_a_404_that_says_so(erin, version):
    response = bearer_client(erin).post(url(version).replace("1.4.0", "9.9"), BATCH, format="json")
    assert (response.status_code, response.json()) == (404, {"detail": "This use case has no version 9.9."})


def test_an_engineer_who_does_not_own_it_is_refused_and_the_refusal_audited(eric, version):
    response = bearer_client(eric).post(url(version), BATCH, format="json")
    assert response.status_code == 403
    assert not Observation.objects.exists()
    assert not Finding.objects.exists() and not Suspension.objects.exists()
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED, actor=eric).count() == 1


def test_a_read_only_token_may_list_but_not_push(erin, version):
    from io import StringIO

    from django.core.management import call_command
    from rest_framework.test import APIClient

    out = StringIO()
    call_command("issue_token", "erin", "--scope", "read", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert client.get(url(version)).status_code == 200
    assert client.post(url(version), BATCH, format="json").status_code == 403
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"observations": [{"metric": "x", "value": 1e400}]}',
        '{"observations": [{"metric": "x", "value": NaN}]}',
        '{"observations": [{"metric": "a\\u0000b", "value": 1}]}',
        '{"observations": [{"metric": "x", "value": 1, "window_end": "9999-12-31T23:59:59-23:59"}]}',
        '{"observations": [{"metric": "x", "value": 1, "window_end": "0001-01-01T00:00:00+23:59"}]}',
        '{"observations": [{"metric": "x", "value": true}]}',
        '{"observations": {"metric": "x"}}',
        '{"observations": [' + ",".join(['{"metric": "x", "value": 1}'] * 1001) + "]}",
        '["observations"]',
    ],
)
def test_no_input_makes_a_500(erin, version, raw):
    response = bearer_client(erin).post(url(version), raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Observation.objects.exists()


def test_the_schema_says_what_the_push_takes_and_answers():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "bservation" in m or "ncident" in m or "governance" in m] == []
    path = schema["paths"]["/api/v1/use-cases/{slug}/versions/{label}/observations/"]
    assert path["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ObservationsRecorded"
    )
    assert path["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaginatedObservationList"
    )
    observation = schema["components"]["schemas"]["Observation"]["properties"]
    assert (observation["threshold"].get("nullable"), observation["finding"].get("nullable")) == (True, True)
    incident = schema["components"]["schemas"]["Incident"]["properties"]
    nullable = {name for name, field in incident.items() if field.get("nullable")}
    assert nullable == {
        "version",
        "report_due_on",
        "reported_at",
        "reported_by",
        "suspension",
        "demotion",
        "closed_by",
        "closed_at",
    }
