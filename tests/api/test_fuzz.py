"""The API under schemathesis: generated requests as an engineer, a reviewer and an auditor, against a live server.

Derandomised and bounded (a fixed seed, a few examples per operation), so the
run is the same every time and takes a couple of minutes. It passes when no
request gets a server error and every response matches the schema: status
code, content type and body.
"""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from lifecycle.models import Stage
from signoff import services
from tests import factories
from tests.signoff.helpers import high_risk_use_case, supply_evidence

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SEED = "20261202"
MAX_EXAMPLES = os.getenv("STAGEGATE_FUZZ_EXAMPLES", "8")


def _token(user) -> str:
    out = StringIO()
    call_command("issue_token", user.username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def world(erin, rita, ravi, carl, cora, lena, leo, audrey):
    """Something of everything the API serves: use cases at several stages, a request in review, a decided one."""
    bob = factories.UserFactory(username="bob", roles=["engineer"])
    credit = high_risk_use_case(erin, bob, stage=Stage.CONTROLLED)
    supply_evidence(credit, 3)
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    services.readiness_request_submit(request=request, actor=erin)
    factories.UseCaseFactory(slug="support-summaries", technical_owner=erin)
    return {"engineer": erin, "reviewer": rita, "auditor": audrey}


# The engineer, who may write most, also gets the systematic coverage phase (boundary values of every
# parameter); each role gets the seeded fuzzing phase. Together about two minutes on two cores.
PHASES = {"engineer": "coverage,fuzzing", "reviewer": "fuzzing", "auditor": "fuzzing"}


@pytest.mark.parametrize("role", list(PHASES))
def test_no_server_errors_and_no_schema_violations(live_server, world, role, tmp_path):
    token = _token(world[role])
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/schema/",
        "--url",
        live_server.url,
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--generation-deterministic",
        "--phases",
        PHASES[role],
        "--workers",
        "2",
        "--no-color",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
