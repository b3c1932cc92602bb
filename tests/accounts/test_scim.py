"""SCIM 2.0 provisioning over HTTP: its own bearer token; users and groups; each change takes effect at once."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import ApiToken, FunctionMembership, IdentityGroup, User
from audit.models import AuditEvent
from notifications.models import Notification
from signoff import services
from signoff.models import ReviewState
from tests.signoff.helpers import reviews_by_function

pytestmark = pytest.mark.django_db
TOKEN = "scim-test-token-0123456789"
USERS, GROUPS = "/scim/v2/Users", "/scim/v2/Groups"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client, settings):
    settings.SCIM_TOKEN = TOKEN

    def call(method: str, path: str, body=None, token: str = TOKEN):
        data = json.dumps(body) if body is not None and not isinstance(body, str) else body
        return getattr(client, method)(
            path, data=data, content_type="application/scim+json", headers={"Authorization": f"Bearer {token}"}
        )

    return call


def _user(scim, username: str, **extra) -> dict:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": username.capitalize(), "familyName": "Example"},
        "emails": [{"value": f"{username}@bank.example", "primary": True}],
        "active": True,
        **extra,
    }
    response = scim("post", USERS, body)
    assert response.status_code == 201, response.content
    return response.json()


def _group(scim, name: str, member_ids: list[str]) -> dict:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": name,
        "members": [{"value": i} for i in member_ids],
    }
    response = scim("post", GROUPS, body)
    assert response.status_code == 201, response.content
    return response.json()


def _functions(user) -> list[tuple[str, bool]]:
    return sorted(FunctionMembership.objects.filter(user=user).values_list("function__key", "is_lead"))


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_without_the_scim_token_nothing_is_provisioned(scim, token):
    response = scim("post", USERS, {"userName": "mallory"}, token=token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert scim("get", USERS, token=token).status_code == 401
    assert not User.objects.filter(username="mallory").exists()


def test_an_administrators_session_or_api_token_is_not_the_scim_token(client, scim, admin_user):
    out = StringIO()
    call_command("issue_token", "admin", stdout=out)
    assert scim("get", USERS, token=out.getvalue().strip()).status_code == 401
    client.force_login(admin_user)
    assert client.get(USERS).status_code == 401


def test_when_not_configured_provisioning_refuses_everything(scim, settings):
    settings.SCIM_TOKEN = ""
    response = scim("get", USERS, token="")
    assert response.status_code == 401 and "not configured" in response.json()["detail"]


def test_a_provisioned_user_has_no_password_and_no_role(scim):
    body = _user(scim, "rosa", password="Secret-123-from-the-idp")
    rosa = User.objects.get(username="rosa")
    assert body["id"] == rosa.scim_id == str(rosa.pk) and body["active"] is True
    assert not rosa.has_usable_password() and rosa.role_names() == set()
    assert (rosa.first_name, rosa.email) == ("Rosa", "rosa@bank.example")
    assert AuditEvent.objects.get(verb="account.created").changes["username"] == "rosa"
    fetched = scim("get", f"{USERS}/{rosa.scim_id}")
    assert fetched.status_code == 200 and fetched.json()["userName"] == "rosa"


def test_group_membership_gives_and_takes_roles_at_once(scim):
    rosa_id = _user(scim, "rosa")["id"]
    group = _group(scim, "risk-leads", [rosa_id])
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == {"risk"} and _functions(rosa) == [("risk", True)]
    synced = AuditEvent.objects.filter(verb="account.roles_synced").latest("seq")
    assert synced.actor_label == "SCIM provisioning" and synced.changes["groups"] == ["risk-leads"]

    removed = scim(
        "patch",
        f"{GROUPS}/{group['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members", "value": [{"value": rosa_id}]}]},
    )
    assert removed.status_code == 200, removed.content
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == set() and _functions(rosa) == []

    added = scim(
        "patch",
        f"{GROUPS}/{group['id']}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": [{"value": rosa_id}]}]},
    )
    assert added.status_code == 200
    assert User.objects.get(username="rosa").role_names() == {"risk"}

    assert scim("delete", f"{GROUPS}/{group['id']}").status_code == 204
    assert User.objects.get(username="rosa").role_names() == set()
    assert not IdentityGroup.objects.exists()


def test_a_group_the_mapping_does_not_know_gives_nothing(scim):
    rosa_id = _user(scim, "rosa")["id"]
    _group(scim, "canteen-committee", [rosa_id])
    rosa = User.objects.get(username="rosa")
    assert rosa.role_names() == set() and _functions(rosa) == []


def test_deactivation_ends_sessions_stops_tokens_and_returns_reviews(client, scim, in_review, rita, ravi):
    review = reviews_by_function(in_review)["risk"]
    services.review_assign(review=review, actor=rita, assignee=ravi)
    out = StringIO()
    call_command("issue_token", "ravi", stdout=out)
    other = client.__class__()
    other.force_login(ravi)

    response = scim(
        "patch",
        f"{USERS}/{ravi.scim_id}",
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    ravi.refresh_from_db()
    assert not ravi.is_active
    review.refresh_from_db()
    assert (review.state, review.assignee) == (ReviewState.UNASSIGNED, None)
    assert Notification.objects.filter(user=rita, title__startswith="Back in the queue").count() == 1
    assert other.get("/").status_code == 302
    assert ApiToken.objects.get(user=ravi).revoked_at is not None
    event = AuditEvent.objects.get(verb="account.deactivated")
    assert (event.actor_label, event.changes["reason"]) == ("SCIM provisioning", "deactivated by provisioning")


def test_delete_deactivates_and_keeps_the_record(scim, ravi):
    assert scim("delete", f"{USERS}/{ravi.scim_id}").status_code == 204
    ravi.refresh_from_db()
    assert not ravi.is_active
    assert AuditEvent.objects.get(verb="account.deactivated").changes["reason"] == "deleted by provisioning"


def test_a_user_is_updated_and_reactivated_by_put(scim):
    body = _user(scim, "rosa", active=False)
    assert User.objects.get(username="rosa").is_active is False
    body.update({"name": {"givenName": "Rosalind", "familyName": "Franklin"}, "active": True})
    response = scim("put", f"{USERS}/{body['id']}", body)
    assert response.status_code == 200, response.content
    rosa = User.objects.get(username="rosa")
    assert (rosa.first_name, rosa.last_name, rosa.is_active) == ("Rosalind", "Franklin", True)


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        (USERS, {"userName": ""}, 400),
        (USERS, {"userName": "has spaces"}, 400),
        (USERS, {"userName": "erin"}, 409),
        (USERS, {"userName": "rosa", "emails": [{"value": "not-an-address", "primary": True}]}, 400),
        (USERS, "{not json", 400),
        (GROUPS, {"displayName": "risk-leads", "members": [{"value": "999999"}]}, 400),
        (GROUPS, {"displayName": "risk-leads", "members": "everyone"}, 400),
        (GROUPS, {"displayName": ""}, 400),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(scim, erin, path, body, status):
    users, groups = User.objects.count(), IdentityGroup.objects.count()
    response = scim("post", path, body)
    assert response.status_code == status, response.content
    assert (User.objects.count(), IdentityGroup.objects.count()) == (users, groups)


def test_an_unknown_id_is_a_404(scim):
    assert scim("get", f"{USERS}/does-not-exist").status_code == 404
    assert scim("patch", f"{GROUPS}/404", {"Operations": [{"op": "add"}]}).status_code == 404


def test_users_are_found_by_username_as_providers_look_them_up(scim, erin, eric):
    response = scim("get", f'{USERS}?filter=userName eq "erin"')
    assert response.status_code == 200, response.content
    assert [u["userName"] for u in response.json()["Resources"]] == ["erin"]
    assert scim("get", f"{USERS}?filter=nonsense").status_code == 400


def _remove(scim, group_id: str, operation: dict):
    return scim("patch", f"{GROUPS}/{group_id}", {"schemas": [PATCH_OP], "Operations": [operation]})


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda uid: {"op": "remove", "path": f'members[value eq "{uid}"]'}, id="okta"),
        pytest.param(lambda uid: {"op": "Remove", "path": "members", "value": [{"value": uid}]}, id="entra"),
    ],
)
def test_removing_one_member_as_identity_providers_send_it(scim, operation):
    rosa_id, remy_id = _user(scim, "rosa")["id"], _user(scim, "remy")["id"]
    group = _group(scim, "risk-leads", [rosa_id, remy_id])
    before = AuditEvent.objects.latest("seq").seq

    response = _remove(scim, group["id"], operation(rosa_id))
    assert response.status_code == 200, response.content
    assert [m["value"] for m in response.json()["members"]] == [remy_id]
    rosa, remy = User.objects.get(username="rosa"), User.objects.get(username="remy")
    assert rosa.role_names() == set() and _functions(rosa) == []
    assert remy.role_names() == {"risk"} and _functions(remy) == [("risk", True)]
    synced = AuditEvent.objects.filter(verb="account.roles_synced", seq__gt=before)
    assert [(e.object_id, e.actor_label, e.changes["groups"]) for e in synced] == [
        (str(rosa.pk), "SCIM provisioning", [])
    ]


def test_a_member_filter_is_only_for_removing_and_an_unknown_member_changes_nothing(scim):
    rosa_id = _user(scim, "rosa")["id"]
    remy_id = _user(scim, "remy")["id"]
    group = _group(scim, "risk-leads", [rosa_id])
    added = _remove(scim, group["id"], {"op": "add", "path": f'members[value eq "{remy_id}"]'})
    assert added.status_code == 501
    assert added.json()["detail"] == "A filter in the path is supported only to remove a member."
    unknown = _remove(scim, group["id"], {"op": "remove", "path": 'members[value eq "999999"]'})
    assert unknown.status_code == 400 and unknown.json()["detail"] == "No user with id 999999."
    not_a_list = scim("patch", f"{GROUPS}/{group['id']}", {"schemas": [PATCH_OP], "Operations": {"op": "remove"}})
    assert not_a_list.status_code == 400
    assert list(IdentityGroup.objects.get().members.values_list("username", flat=True)) == ["rosa"]
    assert User.objects.get(username="rosa").role_names() == {"risk"}
    assert User.objects.get(username="remy").role_names() == set()


def test_the_service_provider_config_says_what_is_supported(scim):
    config = scim("get", "/scim/v2/ServiceProviderConfig").json()
    assert {key: config[key] for key in ("patch", "bulk", "filter", "changePassword", "sort", "etag")} == {
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 100},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
    }
    assert [s["type"] for s in config["authenticationSchemes"]] == ["oauthbearertoken"]


def test_a_list_never_holds_more_than_the_advertised_maximum(scim):
    User.objects.bulk_create([User(username=f"user{i:03}") for i in range(105)])
    response = scim("get", f"{USERS}?count=500")
    assert response.status_code == 200
    assert len(response.json()["Resources"]) == 100 and response.json()["totalResults"] == 105
    assert scim("get", f"{USERS}?count=-3").json()["Resources"] == []


@pytest.mark.parametrize(
    ("method", "path", "detail"),
    [
        ("get", "/scim/v2/Me", "/Me is not supported: the provisioning token stands for the identity provider"),
        ("post", "/scim/v2/Bulk", "Bulk operations are not supported"),
    ],
)
def test_me_and_bulk_answer_not_implemented(scim, method, path, detail):
    response = scim(method, path, {} if method == "post" else None)
    assert response.status_code == 501
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["status"] == "501"
    assert body["detail"].startswith(detail)
    assert scim(method, path, token="wrong").status_code == 401
