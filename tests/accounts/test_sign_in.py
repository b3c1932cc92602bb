import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")
SAMPLE_ARGS = {"slug": "some-slug", "pk": "1", "id": "1", "packet_id": "abc", "path": "x", "str": "x", "int": "1"}


def _page_paths(patterns=None, prefix=""):
    """Every routed page (not the API, admin or static files) with sample values for its parameters."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/")):
                continue
            yield from _page_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and not route.startswith("^"):
            if getattr(entry.callback, "login_required", True) is False:
                continue
            path = re.sub(
                r"<(?:(\w+):)?(\w+)>",
                lambda m: SAMPLE_ARGS.get(m.group(2), SAMPLE_ARGS.get(m.group(1) or "", "x")),
                prefix + route,
            )
            yield "/" + path


PAGES = sorted(set(_page_paths()))


def test_the_walk_finds_the_pages():
    # Every page but the public ones (sign-in, the health check, the notification badge).
    assert PAGES == [
        "/",
        "/accounts/logout/",
        "/accounts/second-factor/app/remove/",
        "/accounts/second-factor/app/replace/",
        "/accounts/second-factor/factors/",
        "/accounts/second-factor/keys/1/remove/",
        "/accounts/second-factor/keys/add/",
        "/accounts/second-factor/recovery-codes/",
        "/accounts/second-factor/setup/",
        "/accounts/service-accounts/new/",
        "/accounts/tokens/",
        "/accounts/tokens/1/revoke/",
        "/audit/",
        "/audit/export.csv",
        "/audit/verify/",
        "/governance/exceptions/1/withdraw/",
        "/governance/findings/",
        "/governance/findings/1/",
        "/governance/findings/1/remediate/",
        "/governance/findings/1/reopen/",
        "/governance/findings/1/validate/",
        "/governance/incidents/",
        "/governance/incidents/1/",
        "/governance/incidents/1/blocking/",
        "/governance/incidents/1/close/",
        "/governance/incidents/1/link-demotion/",
        "/governance/incidents/1/report/",
        "/governance/incidents/1/suspend/",
        "/governance/use-cases/some-slug/exceptions/new/",
        "/governance/use-cases/some-slug/findings/new/",
        "/governance/use-cases/some-slug/incidents/new/",
        "/governance/use-cases/some-slug/lift/",
        "/governance/use-cases/some-slug/observations/",
        "/governance/use-cases/some-slug/suspend/",
        "/home/queue/",
        "/insight/",
        "/insight/inventory.csv",
        "/notifications/",
        "/notifications/read/",
        "/notifications/settings/",
        "/signoff/conditions/1/",
        "/signoff/conditions/1/accept/",
        "/signoff/conditions/1/evidence/",
        "/signoff/conditions/1/met/",
        "/signoff/conditions/1/return/",
        "/signoff/conditions/1/waive/",
        "/signoff/functions/some-slug/assignments/",
        "/signoff/packets/",
        "/signoff/packets/abc/",
        "/signoff/packets/abc/download/",
        "/signoff/policy/",
        "/signoff/policy/1/",
        "/signoff/requests/",
        "/signoff/requests/1/",
        "/signoff/requests/1/accept/",
        "/signoff/requests/1/comments/",
        "/signoff/requests/1/resubmit/",
        "/signoff/requests/1/submit/",
        "/signoff/requests/1/withdraw/",
        "/signoff/requests/new/some-slug/",
        "/signoff/requests/new/some-slug/checklist/",
        "/signoff/reviews/",
        "/signoff/reviews/1/",
        "/signoff/reviews/1/assign/",
        "/signoff/reviews/1/claim/",
        "/signoff/reviews/1/hand-over/",
        "/use-cases/",
        "/use-cases/new/",
        "/use-cases/some-slug/",
        "/use-cases/some-slug/artifacts/1/download/",
        "/use-cases/some-slug/artifacts/new/",
        "/use-cases/some-slug/classification/",
        "/use-cases/some-slug/classification/1/",
        "/use-cases/some-slug/classification/1/decide/",
        "/use-cases/some-slug/demote/",
        "/use-cases/some-slug/edit/",
        "/use-cases/some-slug/readiness/",
        "/use-cases/some-slug/retire/",
        "/use-cases/some-slug/versions/new/",
    ]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("path", ["/use-cases/new/", "/use-cases/some-slug/edit/"])
def test_anonymous_posts_are_sent_to_sign_in_too(client, path):
    response = client.post(path, {"title": "x", "purpose": "y"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_api_refuses_anonymous_requests(client):
    response = client.get("/api/v1/use-cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_login_page_and_health_check_are_public(client):
    assert client.get(LOGIN).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


def test_successful_sign_in_is_audited(client, erin):
    response = client.post(LOGIN, {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    event = AuditEvent.objects.get(verb="auth.login")
    assert (event.actor, event.ip_address) == (erin, "127.0.0.1")


def test_failed_sign_in_is_audited_without_the_password(client, erin):
    response = client.post(LOGIN, {"username": "erin", "password": "wrong-password"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb="auth.login_failed")
    assert event.actor is None and event.actor_label == "erin"
    assert "wrong-password" not in str(event.changes)


def test_lockout_after_the_failure_limit(client, erin):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert client.post(LOGIN, {"username": "erin", "password": "nope"}).status_code == 200
    locked = client.post(LOGIN, {"username": "erin", "password": "nope"})
    assert locked.status_code == 429
    # Even the right password is refused while the lock lasts.
    again = client.post(LOGIN, {"username": "erin", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.login_failed").count() == limit + 1
    assert not AuditEvent.objects.filter(verb="auth.login").exists()


def test_lockout_follows_the_account_to_other_addresses(client, erin, eric):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "erin", "password": "nope"}, REMOTE_ADDR="10.0.0.1")
    elsewhere = {"REMOTE_ADDR": "10.0.0.2"}
    assert client.post(LOGIN, {"username": "erin", "password": PASSWORD}, **elsewhere).status_code == 429
    assert client.post(LOGIN, {"username": "eric", "password": PASSWORD}, **elsewhere).status_code == 302


def test_one_address_spraying_every_account_is_locked_out(client, erin, eric):
    # One wrong password each on many accounts from one address: the address is what gets locked.
    names = [f"sprayed{n}" for n in range(settings.AXES_FAILURE_LIMIT - 1)]
    for name in names:
        assert (
            client.post(LOGIN, {"username": name, "password": "Winter2026!"}, REMOTE_ADDR="10.0.0.9").status_code == 200
        )
    last = client.post(LOGIN, {"username": "sprayed-last", "password": "Winter2026!"}, REMOTE_ADDR="10.0.0.9")
    assert last.status_code == 429
    # Even a right password for another account is refused from that address while the lock lasts.
    response = client.post(LOGIN, {"username": "eric", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.post(LOGIN, {"username": "eric", "password": PASSWORD}, REMOTE_ADDR="10.0.0.10").status_code == 302


def test_sign_out_is_audited(client, erin):
    client.force_login(erin)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.get(verb="auth.logout").actor == erin
