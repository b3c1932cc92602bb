"""Server time of the pipeline gate, next to a bare Django JSON view in the same run.

Creates a scratch database (Django's test-database machinery, named
stagegate_bench_gate; the database in DATABASE_URL itself is not touched), an
approved use case with a current version and a rollback version, and a
gate-scoped bearer token. Then it asks, through django.test.Client with the
token, N times each: the gate for the running version, for the rollback target,
for a candidate, and `/healthz` (a view that returns JSON and touches nothing),
so the gate's own cost shows against the framework's. Each figure is the
median; the query count of one request is shown next to it.

    DATABASE_URL=postgres://... python bench/gate.py [--runs 200] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.models import User  # noqa: E402
from lifecycle.models import ModelVersion, RiskAssessment, Tier, UseCase  # noqa: E402
from lifecycle.services import use_case_owners_sync, use_case_run_version_set  # noqa: E402
from signoff import services  # noqa: E402


def world() -> tuple[str, str]:
    """An approved use case at stage 1 with versions 1.0 (rollback), 1.1 (current) and 2.0 (candidate)."""
    erin = User.objects.create(username="erin", email="erin@bench.example")
    erin.groups.add(Group.objects.get(name="engineer"))
    use_case = UseCase.objects.create(
        slug="bench-gate", title="Gate benchmark", purpose="p", technical_owner=erin, created_by=erin
    )
    use_case_owners_sync(use_case=use_case, actor=None)
    RiskAssessment.objects.create(
        use_case=use_case,
        questionnaire_version="bench",
        answers={},
        tier=Tier.MINIMAL,
        internal_tier="low",
        is_final=True,
        assessed_by=erin,
    )
    versions = {
        label: ModelVersion.objects.create(
            use_case=use_case,
            label=label,
            provider="p",
            model_identifier="m",
            config_hash=f"{n:064x}",
            created_by=erin,
        )
        for n, label in enumerate(["1.0", "1.1", "2.0"], start=1)
    }
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1, version=versions["1.0"])
    services.readiness_request_submit(request=request, actor=erin)
    request = services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1, version=versions["1.1"])
    services.readiness_request_submit(request=request, actor=erin)
    use_case.refresh_from_db()
    if use_case.current_version_id != versions["1.1"].pk:
        use_case_run_version_set(use_case=use_case, version=versions["1.1"], actor=erin, reason="bench")
    out = StringIO()
    call_command("issue_token", "erin", "--scope", "gate", stdout=out)
    return use_case.slug, out.getvalue().strip()


def measure(client: Client, url: str, token: str, runs: int) -> tuple[float, int, int]:
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(url, headers=headers)
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    # Counted at the cursor: Django empties its query log when a request starts.
    with connection.execute_wrapper(count):
        client.get(url, headers=headers)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(executed), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="requests per line (the median is reported)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for BENCHMARKS.md")
    args = parser.parse_args()

    setup_test_environment(debug=False)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = "stagegate_bench_gate"
    # The benchmark asks far more often than an anonymous or ordinary client may.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        slug, token = world()
        client = Client()
        gate = f"/api/v1/use-cases/{slug}/gate/?stage=1"
        lines = [
            ("bare Django JSON view (/healthz)", "/healthz"),
            ("gate, the running version", gate),
            ("gate, the rollback target (?version=1.0)", f"{gate}&version=1.0"),
            ("gate, a candidate (?version=2.0)", f"{gate}&version=2.0"),
            ("gate, by digest", f"{gate}&digest=sha256:{2:064x}"),
        ]
        results = [(label, *measure(client, url, token, args.runs)) for label, url in lines]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"# gate on {connection.vendor}: median of {args.runs} requests, one bearer token")
    if args.markdown:
        print("| request | median | queries | status |")
        print("|---|---:|---:|---:|")
        for label, median, queries, status in results:
            print(f"| {label} | {median:.1f} ms | {queries} | {status} |")
    else:
        for label, median, queries, status in results:
            print(f"{label:44} {median:7.1f} ms  {queries:2} queries  {status}")


if __name__ == "__main__":
    main()
