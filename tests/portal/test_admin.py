import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import ApiToken, FunctionMembership, ReviewFunction
from audit.models import AuditEvent
from audit.services import Verb, audit_head
from notifications.models import Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def since():
    """The trail's head before the test acts: accounts its fixtures create are on the record too."""
    return audit_head().seq


def _membership_events(since):
    return list(AuditEvent.objects.filter(seq__gt=since, verb="membership.changed").order_by("seq"))


@pytest.mark.parametrize(
    "name",
    [
        "accounts_user",
        "accounts_reviewfunction",
        "accounts_functionmembership",
        "accounts_apitoken",
        "audit_auditevent",
        "audit_auditchainhead",
        "notifications_notification",
        "lifecycle_usecase",
        "lifecycle_modelversion",
        "lifecycle_evaluationmetric",
        "lifecycle_artifact",
        "lifecycle_riskassessment",
        "lifecycle_readinessanswer",
        "lifecycle_stagechange",
        "lifecycle_usecaseuserobjectpermission",
        "lifecycle_usecasegroupobjectpermission",
    ],
)
def test_every_model_has_a_working_changelist(admin_client, use_case, name):
    factories.ArtifactFactory(use_case=use_case)
    factories.EvaluationMetricFactory(version=factories.ModelVersionFactory(use_case=use_case))
    assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_use_case_change_page_is_read_only(admin_client, use_case):
    url = reverse("admin:lifecycle_usecase_change", args=[use_case.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"title": "Changed behind the audit trail"}).status_code == 403
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"
    assert admin_client.get(reverse("admin:lifecycle_usecase_add")).status_code == 403


def test_audit_events_cannot_be_added_changed_or_deleted(admin_client, erin):
    factories.UseCaseFactory(technical_owner=erin)
    event = AuditEvent.objects.first()
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert admin_client.get(reverse("admin:audit_auditevent_delete", args=[event.pk])).status_code == 403
    verb = event.verb
    assert (
        admin_client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"verb": "x"}).status_code == 403
    )
    event.refresh_from_db()
    assert event.verb == verb


def test_membership_added_changed_and_removed_are_audited(admin_client, admin_user, eric, since):
    risk = ReviewFunction.objects.get(key="risk")
    added = admin_client.post(reverse("admin:accounts_functionmembership_add"), {"function": risk.pk, "user": eric.pk})
    assert added.status_code == 302
    membership = FunctionMembership.objects.get(user=eric)
    changed = admin_client.post(
        reverse("admin:accounts_functionmembership_change", args=[membership.pk]),
        {"function": risk.pk, "user": eric.pk, "is_lead": "on"},
    )
    assert changed.status_code == 302
    removed = admin_client.post(
        reverse("admin:accounts_functionmembership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert removed.status_code == 302
    assert not FunctionMembership.objects.filter(user=eric).exists()
    events = _membership_events(since)
    assert [e.changes["action"] for e in events] == ["added", "changed", "removed"]
    assert events[1].changes["before"]["is_lead"] is False and events[1].changes["after"]["is_lead"] is True
    assert events[2].changes["before"] == {"function": "risk", "user": "eric", "is_lead": True}
    assert [e.actor for e in events] == [admin_user, admin_user, admin_user]


def test_membership_bulk_delete_is_audited(admin_client, ravi, cora, since):
    ids = list(FunctionMembership.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:accounts_functionmembership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not FunctionMembership.objects.exists()
    assert sorted(e.changes["before"]["user"] for e in _membership_events(since)) == ["cora", "ravi"]


def test_inline_membership_changes_on_the_function_page_are_audited(admin_client, ravi, eric, since):
    risk = ReviewFunction.objects.get(key="risk")
    existing = FunctionMembership.objects.get(user=ravi)
    response = admin_client.post(
        reverse("admin:accounts_reviewfunction_change", args=[risk.pk]),
        {
            "key": risk.key,
            "name": risk.name,
            "description": risk.description,
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": existing.pk,
            "memberships-0-function": risk.pk,
            "memberships-0-user": ravi.pk,
            "memberships-0-DELETE": "on",
            "memberships-1-function": risk.pk,
            "memberships-1-user": eric.pk,
            "memberships-1-is_lead": "on",
        },
    )
    assert response.status_code == 302
    assert list(FunctionMembership.objects.filter(function=risk).values_list("user__username", flat=True)) == ["eric"]
    assert sorted(e.changes["action"] for e in _membership_events(since)) == ["added", "removed"]


def test_role_changes_on_the_user_page_are_audited(admin_client, eric, since):
    data = {
        "username": "eric",
        "first_name": "Eric",
        "last_name": "",
        "email": "eric@bank.example",
        "is_active": "on",
        "groups": [Group.objects.get(name="engineer").pk, Group.objects.get(name="risk").pk],
        "email_mode": "immediate",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:accounts_user_change", args=[eric.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    [event] = _membership_events(since)
    assert event.changes == {"action": "roles", "before": ["engineer"], "after": ["engineer", "risk"]}


def test_tokens_are_read_only_and_can_be_revoked(admin_client, erin):
    token = ApiToken.objects.create(user=erin, key_hash="f" * 64, key_prefix="sg_abcdefg")
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(verb="auth.token_revoked").changes["token"] == "sg_abcdefg"


@pytest.mark.parametrize("who", ["erin", "rita", "audrey"])
def test_admin_site_is_for_staff_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("admin:notifications_notification_changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"
    assert not Notification.objects.exists()


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "email_mode": "immediate",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_superuser_grant_in_the_admin_is_audited_with_before_and_after(admin_client, admin_user, eric, since):
    response = admin_client.post(
        reverse("admin:accounts_user_change", args=[eric.pk]), _user_form(eric, is_staff="on", is_superuser="on")
    )
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(seq__gt=since, verb=Verb.PRIVILEGES_CHANGED)
    assert event.changes == {"is_staff": [False, True], "is_superuser": [False, True]}
    assert (event.actor, event.object_id) == (admin_user, str(eric.pk))


def test_a_password_reset_in_the_admin_is_audited_without_the_hash(admin_client, admin_user, eric, since):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[eric.pk]),
        {"password1": "a-new-long-passphrase-1", "password2": "a-new-long-passphrase-1", "usable_password": "true"},
    )
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(seq__gt=since, verb=Verb.PRIVILEGES_CHANGED)
    assert event.changes == {"password": "changed"}
    assert event.actor == admin_user


def test_privilege_changes_outside_a_request_are_audited_too(eric, since):
    # A management command or the shell: no signed-in user, still on the record.
    eric.is_active = False
    eric.save()
    eric.groups.add(Group.objects.get(name="auditor"))
    events = AuditEvent.objects.filter(seq__gt=since).order_by("seq")
    assert [(e.verb, e.changes) for e in events] == [
        (Verb.PRIVILEGES_CHANGED, {"is_active": [True, False]}),
        (Verb.MEMBERSHIP_CHANGED, {"action": "roles", "before": ["engineer"], "after": ["auditor", "engineer"]}),
    ]
    assert {e.actor_label for e in events} == {"(no signed-in user)"}
