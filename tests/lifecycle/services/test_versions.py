"""Model versions and their metrics (lifecycle/services/versions.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.services import Verb
from core.exceptions import Conflict
from lifecycle.models import EvaluationMetric, ModelVersion, Stage
from lifecycle.services import MetricSpec, model_version_create
from tests.lifecycle.helpers import at_stage, events_of

pytestmark = pytest.mark.django_db

HASH = "a" * 64


def test_version_with_metrics_is_recorded_and_audited(use_case, erin):
    version = model_version_create(
        use_case=use_case,
        actor=erin,
        label="1.0.0",
        provider="Azure OpenAI",
        model_identifier="gpt-4o-2024-08-06",
        config_hash=HASH.upper(),
        agent_tools=["search_kb", " ", "create_ticket"],
        guardrails="PII redaction",
        metrics=[MetricSpec("faithfulness", 0.93, 0.9), MetricSpec("p95_latency_s", 2.1, 3.0, "lte")],
    )
    assert version.config_hash == HASH and version.agent_tools == ["search_kb", "create_ticket"]
    assert [(m.name, m.passes) for m in version.metrics.all()] == [("faithfulness", True), ("p95_latency_s", True)]
    [event] = events_of(Verb.VERSION_CREATED)
    assert event.changes["metrics"][1] == ["p95_latency_s", 2.1, 3.0, "lte", False]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"config_hash": "abc"}, "config_hash"),
        ({"config_hash": "g" * 64}, "config_hash"),
        ({"label": " "}, "label"),
        ({"provider": ""}, "provider"),
        ({"metrics": [MetricSpec("auc", 1, 1), MetricSpec("auc", 1, 1)]}, "metrics"),
        ({"metrics": [MetricSpec("auc", 1, 1, "eq")]}, "metrics"),
        ({"metrics": [MetricSpec(" ", 1, 1)]}, "metrics"),
    ],
)
def test_bad_versions_are_refused(use_case, erin, kwargs, field):
    base = {"label": "1.0", "provider": "p", "model_identifier": "m", "config_hash": HASH}
    with pytest.raises(ValidationError) as info:
        model_version_create(use_case=use_case, actor=erin, **{**base, **kwargs})
    assert list(info.value.message_dict) == [field]
    assert not ModelVersion.objects.exists() and not EvaluationMetric.objects.exists()


def test_version_labels_are_never_reused_for_another_identity(use_case, erin):
    first = model_version_create(
        use_case=use_case, actor=erin, label="1.0", provider="p", model_identifier="m", config_hash=HASH
    )
    again = model_version_create(
        use_case=use_case, actor=erin, label="1.0", provider="p", model_identifier="m", config_hash=HASH
    )
    assert again == first
    with pytest.raises(Conflict, match=r"weights none here, sha256:c{64} sent"):
        model_version_create(
            use_case=use_case,
            actor=erin,
            label="1.0",
            provider="p",
            model_identifier="m",
            config_hash=HASH,
            weights_hash="c" * 64,
        )
    assert ModelVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_cannot_add_versions(request, use_case, who):
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may add versions"):
        model_version_create(
            use_case=use_case,
            actor=request.getfixturevalue(who),
            label="1",
            provider="p",
            model_identifier="m",
            config_hash=HASH,
        )
    assert not ModelVersion.objects.exists()


def test_retired_use_case_gets_no_versions(use_case, erin):
    at_stage(use_case, Stage.RETIRED)
    with pytest.raises(ValidationError, match="retired"):
        model_version_create(
            use_case=use_case, actor=erin, label="1", provider="p", model_identifier="m", config_hash=HASH
        )
