"""A page that only shows something refuses a write: 405 Method Not Allowed, naming the methods it takes.

A POST to a read-only page once rendered it as a GET would, and the downloads
and the audit export even recorded a download or an export for it. Now every
read-only view takes only safe methods (RFC 9110 §15.5.6: a 405 carries an
Allow header), and a refused write records nothing.
"""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from tests.matrix_routes import ROUTES
from tests.permission_world import world_build

# Every page route that only shows something (the permission matrix calls each with GET), and who may see it.
READ_ONLY_PAGES = [
    ("", "audrey"),
    ("home/queue/", "audrey"),
    ("insight/", "audrey"),
    ("insight/inventory.csv", "audrey"),
    ("notifications/", "audrey"),
    ("notifications/badge/", "audrey"),
    ("accounts/second-factor/factors/", "audrey"),
    ("audit/", "audrey"),
    ("audit/export.csv", "audrey"),
    ("healthz", "audrey"),
    ("use-cases/", "audrey"),
    ("use-cases/<slug:slug>/", "audrey"),
    ("use-cases/<slug:slug>/artifacts/<int:pk>/download/", "audrey"),
    ("use-cases/<slug:slug>/classification/<int:pk>/", "audrey"),
    ("signoff/requests/", "audrey"),
    ("signoff/requests/<int:pk>/", "audrey"),
    ("signoff/reviews/", "audrey"),
    ("signoff/functions/<slug:key>/assignments/", "rita"),
    ("signoff/packets/", "audrey"),
    ("signoff/packets/<str:packet_id>/", "audrey"),
    ("signoff/packets/<str:packet_id>/download/", "audrey"),
    ("signoff/policy/", "audrey"),
    ("signoff/conditions/<int:pk>/", "audrey"),
    ("governance/findings/", "audrey"),
    ("governance/findings/<int:pk>/", "audrey"),
    ("governance/incidents/", "audrey"),
    ("governance/incidents/<int:pk>/", "audrey"),
    ("governance/use-cases/<slug:slug>/observations/", "audrey"),
    ("audit/checkpoint-key.pem", "audrey"),
]
# The one read-only page that already refuses a write.
ALREADY_REFUSING = {"signoff/requests/new/<slug:slug>/checklist/": "erin"}


def test_the_list_covers_every_read_only_page():
    # Not pages: SCIM provisioning answers its own protocol, and the identity provider sends people back to its
    # callback with a GET that signs them in.
    pages = {
        key
        for key, route in ROUTES.items()
        if route.method == "GET" and not key.startswith(("api/", "admin/", "scim/"))
    }
    # A condition's evidence file is a download only where evidence was given (the world's condition has none);
    # tests/signoff/test_conditions_pages_api.py covers it.
    not_pages = {
        "accounts/login/",
        "accounts/oidc/^(?P<provider_id>[^/]+)/login/callback/",
        "signoff/conditions/<int:pk>/evidence/",
    }
    assert pages - not_pages == {key for key, _ in READ_ONLY_PAGES} | set(ALREADY_REFUSING)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route_key", "who"),
    [
        *(pytest.param(key, who, id=key or "home") for key, who in READ_ONLY_PAGES),
        *(pytest.param(key, who, id=key) for key, who in ALREADY_REFUSING.items()),
    ],
)
def test_a_read_only_page_refuses_a_write(client, request, erin, rita, audrey, admin_user, route_key, who):
    url = ROUTES[route_key].url(world_build(erin=erin, admin=admin_user))
    client.force_login(request.getfixturevalue(who))
    # The person may read it (the checklist, without htmx, sends them on to the request page).
    assert client.get(url).status_code == (302 if route_key in ALREADY_REFUSING else 200)
    events = AuditEvent.objects.count()
    response = client.post(url, {})
    assert response.status_code == 405
    assert "GET" in response["Allow"].split(", ")
    assert AuditEvent.objects.count() == events
