"""Gate policy is edited in the admin; every change is audited with before and after."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import GatePolicy, SignoffRule
from tests import factories

pytestmark = pytest.mark.django_db


def change_form_data(policy: GatePolicy, **overrides) -> dict:
    rules = list(policy.signoff_rules.order_by("id"))
    data = {
        "target_stage": policy.target_stage,
        "required_artifact_kinds": '["evaluation_report", "data_lineage"]',
        "registry_fields": '["purpose", "technical_owner", "approved_scope"]',
        "requires_version": "on",
        "requires_assessment": "on",
        "requires_final_assessment": "on",
        "suspend_on_critical_breach": "on",
        "sla_business_days": policy.sla_business_days,
        "signoff_rules-TOTAL_FORMS": len(rules) + 1,
        "signoff_rules-INITIAL_FORMS": len(rules),
        "signoff_rules-MIN_NUM_FORMS": 0,
        "signoff_rules-MAX_NUM_FORMS": 1000,
    }
    for n, rule in enumerate(rules):
        data[f"signoff_rules-{n}-id"] = rule.pk
        data[f"signoff_rules-{n}-policy"] = policy.pk
        data[f"signoff_rules-{n}-function"] = rule.function_id
        data[f"signoff_rules-{n}-when"] = rule.when
    data.update(overrides)
    return data


def test_admin_edit_is_audited_with_before_and_after(client, admin_user):
    client.force_login(admin_user)
    policy = GatePolicy.objects.get(target_stage=2)
    url = reverse("admin:signoff_gatepolicy_change", args=[policy.pk])
    response = client.post(url, change_form_data(policy, sla_business_days=8, **{"signoff_rules-0-DELETE": "on"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.sla_business_days == 8
    assert not SignoffRule.objects.filter(policy=policy).exists()
    event = AuditEvent.objects.get(verb=Verb.POLICY_CHANGED)
    assert event.actor == admin_user
    assert event.changes["before"]["sla_business_days"] == 5
    assert event.changes["after"]["sla_business_days"] == 8
    assert event.changes["before"]["signoff_rules"] == [["risk", "always"]]
    assert event.changes["after"]["signoff_rules"] == []


def test_saving_without_changes_writes_no_event(client, admin_user):
    client.force_login(admin_user)
    policy = GatePolicy.objects.get(target_stage=2)
    url = reverse("admin:signoff_gatepolicy_change", args=[policy.pk])
    assert client.post(url, change_form_data(policy)).status_code == 302
    assert not AuditEvent.objects.filter(verb=Verb.POLICY_CHANGED).exists()


def test_admin_delete_is_audited(client, admin_user):
    client.force_login(admin_user)
    policy = GatePolicy.objects.get(target_stage=4)
    response = client.post(reverse("admin:signoff_gatepolicy_delete", args=[policy.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not GatePolicy.objects.filter(target_stage=4).exists()
    event = AuditEvent.objects.get(verb=Verb.POLICY_CHANGED)
    assert event.changes["before"]["target_stage"] == 4
    assert event.changes["after"] is None


def test_reviewers_cannot_edit_policy(client, rita):
    client.force_login(rita)
    policy = GatePolicy.objects.get(target_stage=2)
    url = reverse("admin:signoff_gatepolicy_change", args=[policy.pk])
    response = client.post(url, change_form_data(policy, sla_business_days=1))
    # Not staff: Django's admin sends her to its own sign-in page.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"
    policy.refresh_from_db()
    assert policy.sla_business_days == 5
    assert not AuditEvent.objects.filter(verb=Verb.POLICY_CHANGED).exists()


def test_edit_by_staff_who_may_not_touch_the_rules_is_audited(client):
    """Without permission on sign-off rules the admin shows no rules formset; the policy change is audited anyway."""
    staff = factories.UserFactory(username="paula", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="signoff", codename__in=["view_gatepolicy", "change_gatepolicy"]
        )
    )
    client.force_login(staff)
    policy = GatePolicy.objects.get(target_stage=2)
    data = {k: v for k, v in change_form_data(policy, sla_business_days=9).items() if not k.startswith("signoff_rules")}
    response = client.post(reverse("admin:signoff_gatepolicy_change", args=[policy.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.sla_business_days == 9
    event = AuditEvent.objects.get(verb=Verb.POLICY_CHANGED)
    assert event.actor == staff
    assert event.changes["before"]["sla_business_days"] == 5
    assert event.changes["after"]["sla_business_days"] == 9
