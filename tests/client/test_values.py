"""What the client reads off its command line, checked without a portal."""

import hashlib

import pytest

from stagegate.values import (
    MetricSpec,
    file_digest,
    format_duration,
    parse_answer,
    parse_digest,
    parse_duration,
    parse_evidence,
    parse_metric_spec,
    parse_observation,
    parse_stage,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("15s", 15), ("1h30m", 5400), ("500ms", 0.5), ("90", 90), ("2.5s", 2.5), ("1H", 3600)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0s", "-5s", "5x", "m", "1m5", "5 m", "inf", "nan", "1e3s", "PT30M"])
def test_what_is_not_a_duration(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(1800, "30m"), (5400, "1h30m"), (90, "1m30s"), (2.5, "2.5s"), (15, "15s")]
)
def test_durations_are_written_back_as_people_write_them(seconds, text):
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "1", "2", "3", "4"])
def test_stages_are_one_digit(text):
    assert parse_stage(text) == int(text)


@pytest.mark.parametrize("text", ["5", "9", "-1", "+3", " 3", "3 ", "٣", "10", "", "three"])
def test_what_is_not_a_stage(text):
    with pytest.raises(ValueError, match="one digit from 0 to 4"):
        parse_stage(text)


def test_a_request_never_targets_stage_0():
    assert parse_stage("1", lowest=1) == 1
    with pytest.raises(ValueError, match="one digit from 1 to 4"):
        parse_stage("0", lowest=1)


def test_digests_are_lower_cased():
    assert parse_digest("SHA256:" + "AB" * 32) == "sha256:" + "ab" * 32


@pytest.mark.parametrize("text", ["ab" * 32, "sha256:" + "ab" * 31, "sha256:" + "g" * 64, "sha512:" + "ab" * 32, ""])
def test_what_is_not_a_digest(text):
    with pytest.raises(ValueError, match="sha256: followed by 64"):
        parse_digest(text)


@pytest.mark.parametrize("size", [0, 11, 3 * 1024 * 1024 + 7])
def test_the_digest_of_a_file_is_the_sha256_of_its_bytes(tmp_path, size):
    content = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path = tmp_path / "config.yaml"
    path.write_bytes(content)
    assert file_digest(path) == "sha256:" + hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("accuracy=0.93:0.9", MetricSpec("accuracy", 0.93, 0.9, "gte")),
        ("latency_p95=812:1000:lte", MetricSpec("latency_p95", 812, 1000, "lte")),
        ("f1=0.8:0.75:GTE", MetricSpec("f1", 0.8, 0.75, "gte")),
        ("drift=-0.5:-1", MetricSpec("drift", -0.5, -1, "gte")),
        ("complaint_rate=0.01:0.05:lte:critical", MetricSpec("complaint_rate", 0.01, 0.05, "lte", True)),
        ("accuracy=0.93:0.9:critical", MetricSpec("accuracy", 0.93, 0.9, "gte", True)),
    ],
)
def test_evaluation_metrics(text, spec):
    assert parse_metric_spec(text) == spec


def test_an_evaluation_metric_as_the_portal_takes_it():
    assert parse_metric_spec("latency_p95=812:1000:lte").as_api() == {
        "name": "latency_p95",
        "value": 812.0,
        "threshold": 1000.0,
        "direction": "lte",
        "critical": False,
    }


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("accuracy=0.93", "not of the form"),
        ("accuracy", "not of the form"),
        ("=0.9:0.8", "not of the form"),
        ("accuracy=0.9:0.8:gte:x", "not of the form"),
        ("accuracy=high:0.8", "value 'high' is not a number"),
        ("accuracy=0.9:low", "threshold 'low' is not a number"),
        ("accuracy=nan:0.8", "not a finite number"),
        ("accuracy=0.9:0.8:eq", "gte (at least) or lte (at most)"),
    ],
)
def test_what_is_not_an_evaluation_metric(text, says):
    with pytest.raises(ValueError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_metric_spec(text)


def test_observations():
    assert parse_observation("latency_p95=812") == ("latency_p95", 812.0)
    with pytest.raises(ValueError, match="name=value"):
        parse_observation("latency_p95")
    with pytest.raises(ValueError, match="not a number"):
        parse_observation("latency_p95=fast")


def test_evidence_names_a_kind_and_a_file_that_exists(tmp_path):
    report = tmp_path / "eval=final.pdf"
    report.write_bytes(b"%PDF-1.4")
    assert parse_evidence(f"evaluation_report={report}") == ("evaluation_report", report)
    with pytest.raises(ValueError, match="not a file"):
        parse_evidence(f"evaluation_report={tmp_path / 'missing.pdf'}")
    with pytest.raises(ValueError, match="KIND=FILE"):
        parse_evidence(str(report.with_name("eval.pdf")))


@pytest.mark.parametrize(("text", "answer"), [("business_kpi=yes", True), ("named_owner=No", False), ("x=true", True)])
def test_readiness_answers(text, answer):
    assert parse_answer(text)[1] is answer


def test_a_readiness_answer_is_yes_or_no():
    with pytest.raises(ValueError, match="yes or no"):
        parse_answer("business_kpi=maybe")


def test_timestamps_need_a_time_zone():
    assert parse_timestamp("2026-11-02T10:00:00Z") == "2026-11-02T10:00:00+00:00"
    assert parse_timestamp("2026-11-02T11:00:00+01:00") == "2026-11-02T11:00:00+01:00"
    with pytest.raises(ValueError, match="no time zone"):
        parse_timestamp("2026-11-02T10:00:00")
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_timestamp("yesterday")
