"""Registering and editing use cases (lifecycle/services/use_cases.py): owners, slugs, audited changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.access import use_case_may_change
from lifecycle.models import InternalTier, Stage, Tier, UseCase
from lifecycle.services import risk_assessment_record, use_case_create, use_case_update
from tests.lifecycle.helpers import answers, events_of

pytestmark = pytest.mark.django_db


# Creating ----------------------------------------------------------------------------------------------------


def test_creator_becomes_technical_owner_and_may_change(erin):
    use_case = use_case_create(actor=erin, title="Fraud alerts triage", purpose="Rank alerts for analysts.")
    assert use_case.slug == "fraud-alerts-triage"
    assert use_case.technical_owner == erin and use_case.created_by == erin
    assert use_case.stage == Stage.PROPOSED and use_case.risk_tier == Tier.UNCLASSIFIED
    assert use_case_may_change(erin, use_case)
    [event] = events_of(Verb.USE_CASE_CREATED)
    assert event.changes["slug"] == "fraud-alerts-triage" and event.changes["technical_owner"] == "erin"
    assert events_of(Verb.PERMISSION_GRANTED)[0].changes == {"user": "erin", "permission": "change_usecase"}


def test_another_technical_owner_can_be_named(erin, eric, rita):
    use_case = use_case_create(actor=erin, title="T", purpose="P", technical_owner=eric, business_owner=rita)
    assert use_case.technical_owner == eric
    # The creator keeps the right to change what they registered.
    assert {u for u in (erin, eric, rita) if use_case_may_change(u, use_case)} == {erin, eric, rita}


def test_slug_is_made_unique(erin):
    first = use_case_create(actor=erin, title="Chat assistant", purpose="P")
    second = use_case_create(actor=erin, title="Chat Assistant!", purpose="P")
    assert (first.slug, second.slug) == ("chat-assistant", "chat-assistant-2")


def test_explicit_slug_is_used_and_must_be_free(erin):
    use_case_create(actor=erin, title="A", purpose="P", slug="credit-pd")
    with pytest.raises(ValidationError, match="taken"):
        use_case_create(actor=erin, title="B", purpose="P", slug="credit-pd")
    with pytest.raises(ValidationError, match="lower-case"):
        use_case_create(actor=erin, title="B", purpose="P", slug="Bad Slug")
    assert UseCase.objects.count() == 1


def test_create_requires_title_and_purpose(erin):
    with pytest.raises(ValidationError) as info:
        use_case_create(actor=erin, title=" ", purpose="")
    assert set(info.value.message_dict) == {"title", "purpose"}
    assert not UseCase.objects.exists()


@pytest.mark.parametrize("who", ["audrey", "nobody"])
def test_auditors_and_people_without_roles_cannot_create(request, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="Auditors and accounts without a role may not register use cases"):
        use_case_create(actor=actor, title="T", purpose="P")
    assert not UseCase.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="use_case.").exists()


def test_an_auditor_cannot_be_made_owner(erin, audrey):
    with pytest.raises(ValidationError, match="auditor"):
        use_case_create(actor=erin, title="T", purpose="P", business_owner=audrey)
    assert not UseCase.objects.exists()


# Editing -----------------------------------------------------------------------------------------------------


def test_owner_edit_is_audited_with_before_and_after(use_case, erin):
    use_case_update(
        use_case=use_case, actor=erin, title="Ticket summaries", customer_facing=True, team="Customer operations"
    )
    use_case.refresh_from_db()
    assert use_case.title == "Ticket summaries" and use_case.customer_facing
    [event] = events_of(Verb.USE_CASE_UPDATED)
    assert event.changes == {
        "title": ["Support ticket summaries", "Ticket summaries"],
        "customer_facing": [False, True],
    }


def test_changing_a_flag_re_derives_the_internal_tier_from_the_current_assessment(use_case, erin):
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(), is_final=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.LOW
    use_case_update(use_case=use_case, actor=erin, processes_personal_data=True, regulated_decision=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.HIGH
    assert events_of(Verb.USE_CASE_UPDATED)[-1].changes["internal_tier"] == ["low", "high"]


def test_flags_without_an_assessment_leave_the_internal_tier_alone(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, customer_facing=True)
    use_case.refresh_from_db()
    assert use_case.internal_tier == InternalTier.LOW


def test_edit_without_change_records_nothing(use_case, erin):
    use_case_update(use_case=use_case, actor=erin, title=use_case.title)
    assert not events_of(Verb.USE_CASE_UPDATED)


@pytest.mark.parametrize("who", ["eric", "audrey", "rita", "nobody"])
def test_others_cannot_edit(request, use_case, who):
    with pytest.raises(PermissionDenied, match="Only the use case's owners or an administrator may edit it"):
        use_case_update(use_case=use_case, actor=request.getfixturevalue(who), title="Hijacked")
    use_case.refresh_from_db()
    assert use_case.title == "Support ticket summaries"
    assert not events_of(Verb.USE_CASE_UPDATED)


def test_admin_can_edit(use_case, admin_user):
    use_case_update(use_case=use_case, actor=admin_user, team="Platform")
    use_case.refresh_from_db()
    assert use_case.team == "Platform"


def test_slug_and_stage_cannot_be_edited(use_case, erin):
    with pytest.raises(ValidationError) as info:
        use_case_update(use_case=use_case, actor=erin, slug="other", stage=4)
    assert set(info.value.message_dict) == {"slug", "stage"}


def test_changing_owners_moves_the_permission(use_case, erin, eric):
    # erin created the fixture, so she stays an owner whoever else is named.
    use_case_update(use_case=use_case, actor=erin, business_owner=eric)
    assert use_case_may_change(eric, use_case)
    use_case_update(use_case=use_case, actor=erin, business_owner=None)
    eric = type(eric).objects.get(pk=eric.pk)  # fresh permission cache
    assert not use_case_may_change(eric, use_case)
    assert [e.changes["user"] for e in events_of(Verb.PERMISSION_REVOKED)] == ["eric"]


def test_technical_owner_cannot_be_removed(use_case, erin):
    with pytest.raises(ValidationError, match="technical owner"):
        use_case_update(use_case=use_case, actor=erin, technical_owner=None)
