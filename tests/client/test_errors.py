"""When the client cannot get an answer it says why, in words a pipeline's log can act on, and exits 2."""

import socket
import time

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from tests.client.conftest import issue_token, live, stagegate


def test_no_url_or_no_token_is_exit_2_naming_the_variable():
    no_url = stagegate("gate", "check", "anything", "--stage", "1", url=None, token="sg_x")
    no_token = stagegate("gate", "check", "anything", "--stage", "1", url="http://127.0.0.1:9", token=None)
    assert (no_url.code, no_token.code) == (2, 2)
    assert "STAGEGATE_URL" in no_url.err
    assert "STAGEGATE_TOKEN" in no_token.err
    assert "issue_token" in no_token.err


def test_an_address_that_is_not_http_is_exit_2():
    run = stagegate("gate", "check", "anything", "--stage", "1", url="stagegate.example.com", token="sg_x")
    assert run.code == 2
    assert "not an http:// or https:// address" in run.err


def test_a_closed_port_is_exit_2_saying_the_connection_failed(closed_port):
    url = f"http://127.0.0.1:{closed_port}"
    run = stagegate("gate", "check", "anything", "--stage", "1", url=url, token="sg_x")
    assert run.code == 2
    assert run.out == ""
    assert f"Could not connect to {url}" in run.err
    assert "refused" in run.err.lower()


def test_a_server_that_never_answers_is_given_up_on_after_the_request_timeout():
    # A listening socket nobody accepts from: the connection opens, and no answer ever comes.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        run = stagegate("gate", "check", "anything", "--stage", "1", "--request-timeout", "1s", url=url, token="sg_x")
        elapsed = time.monotonic() - started
    assert run.code == 2
    assert f"{url} did not answer GET {url}/api/v1/use-cases/anything/gate/" in run.err
    assert "within 1s" in run.err
    assert elapsed < 20


@pytest.mark.parametrize("command", [("gate", "check", "x", "--stage", "9"), ("request", "x", "--stage", "0")])
def test_a_stage_out_of_range_is_a_usage_error(command):
    run = stagegate(*command, url="http://127.0.0.1:9", token="sg_x")
    assert run.code == 2
    assert "the stage is one digit from" in run.err


@live
def test_an_unknown_token_is_exit_2_saying_it_is_unknown_revoked_or_expired(portal, use_case):
    run = portal.run("gate", "check", use_case.slug, "--stage", "1", token="sg_" + "x" * 43)
    assert run.code == 2
    assert "HTTP 401" in run.err
    assert "unknown, revoked or expired" in run.err
    assert "The portal says: Unknown token: check it was copied whole." in run.err


@live
def test_a_revoked_token_is_refused_and_the_portals_reason_shown(portal, use_case, erin):
    ApiToken.objects.filter(user=erin).update(revoked_at=timezone.now())
    run = portal.run("gate", "check", use_case.slug, "--stage", "1")
    assert run.code == 2
    assert "HTTP 401" in run.err
    assert "revoked" in run.err.split("The portal says:")[1]


@live
def test_an_unknown_slug_is_exit_2_saying_it_does_not_exist_or_is_not_visible(portal):
    run = portal.run("gate", "check", "no-such-use-case", "--stage", "1")
    assert run.code == 2
    assert "No use case 'no-such-use-case' that this token may see" in run.err
    assert "does not exist or is not visible to it (HTTP 404)" in run.err


@live
def test_a_use_case_the_token_may_not_see_is_the_same_404(portal, use_case, nobody):
    run = portal.run("gate", "check", use_case.slug, "--stage", "1", token=issue_token(nobody))
    assert run.code == 2
    assert f"No use case {use_case.slug!r} that this token may see" in run.err


@live
def test_a_web_server_that_is_not_the_portals_api_is_named_so(portal, use_case):
    # The portal's own pages answer HTML: an address with a path in front of /api/v1 is not the API.
    run = portal.run("--url", f"{portal.url}/use-cases", "gate", "check", use_case.slug, "--stage", "1")
    assert run.code == 2
    assert f"{portal.url}/use-cases is not a Stagegate portal, or not its address" in run.err
    assert "where JSON was expected" in run.err


@live
def test_an_address_given_with_api_v1_still_works(portal, use_case):
    run = portal.run("--url", f"{portal.url}/api/v1/", "gate", "check", use_case.slug, "--stage", "2")
    assert run.code == 1, run.said
    assert run.out.startswith(f"Denied: {use_case.slug} may not run at stage 2.")


@live
def test_a_rate_limited_client_is_told_when_to_retry(portal, use_case, monkeypatch):
    # The rate a deployment would set with API_USER_RATE, made small enough to reach in two calls.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "1/hour")
    first = portal.run("gate", "check", use_case.slug, "--stage", "1")
    second = portal.run("gate", "check", use_case.slug, "--stage", "1")
    assert first.code == 1, first.said
    assert second.code == 2
    assert "rate-limiting this client (HTTP 429): retry after" in second.err
    assert "59m" in second.err or "1h" in second.err
