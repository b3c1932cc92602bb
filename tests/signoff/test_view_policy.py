"""The gate policy page: compliance leads and administrators edit each stage's gate in words, audited."""

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import Verb
from lifecycle.models import Artifact, ArtifactKind
from signoff.admin import GatePolicyAdmin
from signoff.models import GatePolicy, SignoffRule
from signoff.policy_forms import GatePolicyForm
from tests import factories
from tests.signoff.helpers import put_at_stage, supply_evidence

pytestmark = pytest.mark.django_db

EDIT = reverse("signoff:policy-edit", args=[3])


def _state(policy: GatePolicy) -> tuple:
    policy.refresh_from_db()
    rules = sorted(policy.signoff_rules.values_list("function__key", "when"))
    return (policy.required_artifact_kinds, policy.registry_fields, policy.sla_business_days, rules)


def _form(**changes) -> dict:
    data = {
        "required_artifact_kinds": ["evaluation_report", "rollback_test"],
        "registry_fields": ["purpose", "business_owner"],
        "requires_version": "on",
        "requires_assessment": "on",
        "requires_final_assessment": "on",
        "sla_business_days": "7",
        "signs_risk": ["always"],
        "signs_compliance": ["personal_data", "tier_high"],
        "signs_legal": [],
    }
    data.update(changes)
    return data


def test_the_policy_reads_in_words_for_everyone_with_a_role(client, eric, rita, carl, lena):
    client.force_login(eric)
    body = client.get(reverse("signoff:policy-list")).content.decode()

    assert "Compliance signs when personal data is processed or the tier is high-risk" in body
    assert "Evaluation report" in body
    assert "evaluation_report" not in body and "personal_data" not in body
    assert "Change the gate" not in body


def test_a_compliance_lead_changes_a_gate_and_it_is_audited(client, carl, rita, lena):
    client.force_login(carl)
    page = client.get(EDIT)
    assert page.status_code == 200
    assert 'value="model_card"' in page.content.decode()

    response = client.post(EDIT, _form())

    assert response.status_code == 302
    policy = GatePolicy.objects.get(target_stage=3)
    assert _state(policy) == (
        ["evaluation_report", "rollback_test"],
        ["business_owner", "purpose"],
        7,
        [("compliance", "personal_data"), ("compliance", "tier_high"), ("risk", "always")],
    )
    event = AuditEvent.objects.filter(verb=Verb.POLICY_CHANGED).get()
    assert event.actor == carl
    assert event.changes["before"]["sla_business_days"] != 7
    assert event.changes["after"]["sla_business_days"] == 7
    assert event.changes["after"]["required_artifact_kinds"] == ["evaluation_report", "rollback_test"]


def test_an_unknown_kind_of_evidence_is_refused_and_nothing_changes(client, carl, rita, lena):
    before = _state(GatePolicy.objects.get(target_stage=3))
    client.force_login(carl)

    response = client.post(EDIT, _form(required_artifact_kinds=["evaluation_report", "DPIA"]))

    assert response.status_code == 400
    assert "DPIA is not one of the available choices" in response.content.decode()
    assert _state(GatePolicy.objects.get(target_stage=3)) == before
    assert not AuditEvent.objects.filter(verb=Verb.POLICY_CHANGED).exists()


def test_the_admin_refuses_an_unknown_kind_too(admin_user):
    policy = GatePolicy.objects.get(target_stage=3)
    model_admin = GatePolicyAdmin(GatePolicy, site)
    request = RequestFactory().post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, policy)
    data = {f: getattr(policy, f) for f in form_class.base_fields if hasattr(policy, f)}
    data.update(required_artifact_kinds='["evaluation_report", "DPIA"]', registry_fields='["purpose"]')
    form = form_class(data, instance=policy)

    assert not form.is_valid()
    assert "Unknown kind of evidence: DPIA" in str(form.errors["required_artifact_kinds"])


@pytest.mark.parametrize("who", ["eric", "rita", "cora", "audrey"])
def test_only_compliance_leads_and_administrators_change_policy(client, request, who, carl, lena):
    user = request.getfixturevalue(who)
    before = _state(GatePolicy.objects.get(target_stage=3))
    refusals = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count()
    client.force_login(user)

    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, _form()).status_code == 403
    assert _state(GatePolicy.objects.get(target_stage=3)) == before
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == refusals + 1


def test_an_administrator_changes_policy_too(client, admin_user, rita, carl, lena):
    client.force_login(admin_user)
    assert client.post(EDIT, _form(sla_business_days="3")).status_code == 302
    assert GatePolicy.objects.get(target_stage=3).sla_business_days == 3


def test_a_failed_save_keeps_what_was_ticked_and_says_why(client, carl, rita, lena):
    client.force_login(carl)
    response = client.post(EDIT, _form(sla_business_days="0"))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and 'href="#id_sla_business_days"' in body
    assert 'value="rollback_test" id="id_required_artifact_kinds_3" checked' in body
    assert 'value="model_card" id="id_required_artifact_kinds_5" checked' not in body


def test_a_gate_without_a_policy_is_404(client, carl):
    client.force_login(carl)
    assert client.get(reverse("signoff:policy-edit", args=[7])).status_code == 404


def test_sign_off_rules_are_replaced_not_added(client, carl, rita, lena):
    client.force_login(carl)
    client.post(EDIT, _form())
    client.post(EDIT, _form(signs_compliance=["tier_high"]))
    rules = SignoffRule.objects.filter(policy__target_stage=3, function__key="compliance")
    assert list(rules.values_list("when", flat=True)) == ["tier_high"]


def _as_posted(policy: GatePolicy, **changes) -> dict:
    """The policy page's form as it stands for `policy`, with `changes`, as a browser would post it."""
    data: dict = {}
    for name, value in GatePolicyForm.initial_for(policy).items():
        if value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = value
    data.update(changes)
    return data


def _stage_two_world(erin):
    """Six use cases at stage 2 with everything the stage-3 gate asks of the first line, and one at stage 1."""
    made = []
    for n in range(6):
        use_case = factories.UseCaseFactory(title=f"Case {n}", technical_owner=erin, business_owner=erin)
        use_case = put_at_stage(use_case, 2)
        supply_evidence(use_case, 3)
        made.append(use_case)
    for use_case in made[4:]:
        factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.DPIA)
    Artifact.objects.filter(use_case=made[5], kind=ArtifactKind.ROLLBACK_TEST).delete()
    supply_evidence(put_at_stage(factories.UseCaseFactory(title="Early", technical_owner=erin), 1), 2)
    return made


def test_a_preview_counts_exactly_what_the_change_would_do_and_saves_nothing(client, carl, erin, rita, lena):
    made = _stage_two_world(erin)
    policy = GatePolicy.objects.get(target_stage=3)
    kinds = [k for k in policy.required_artifact_kinds if k != "rollback_test"] + ["dpia"]
    client.force_login(carl)
    before, events = _state(policy), list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))

    response = client.post(EDIT, _as_posted(policy, required_artifact_kinds=kinds, preview="1"))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.considered == 6
    assert preview.now_missing == [("the Data protection impact assessment (GDPR Art. 35)", 4)]
    assert preview.no_longer_missing == [("the Rollback test record", 1)]
    assert (preview.newly_ready, preview.no_longer_ready) == (1, 4)
    assert [c.use_case for c in preview.changes] == [*made[:4], made[5]]
    body = response.content.decode()
    assert "4 use cases at stage 2 would now miss the Data protection impact assessment (GDPR Art. 35)" in body
    assert "1 would newly be ready to submit" in body
    assert 'value="dpia" id="id_required_artifact_kinds_11" checked' in body
    assert _state(GatePolicy.objects.get(target_stage=3)) == before
    assert list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)) == events


def test_a_preview_of_who_signs(client, carl, erin, rita, lena):
    _stage_two_world(erin)
    policy = GatePolicy.objects.get(target_stage=3)
    client.force_login(carl)

    response = client.post(EDIT, _as_posted(policy, signs_legal=["always"], preview="1"))

    preview = response.context["preview"]
    assert preview.now_missing == [("Legal's sign-off", 6)]
    assert (preview.no_longer_missing, preview.newly_ready, preview.no_longer_ready) == ([], 0, 0)


def test_a_preview_that_changes_nothing_says_so(client, carl, erin, rita, lena):
    _stage_two_world(erin)
    policy = GatePolicy.objects.get(target_stage=3)
    client.force_login(carl)

    response = client.post(EDIT, _as_posted(policy, sla_business_days="9", preview="1"))

    assert response.context["preview"].changes == []
    assert "none would meet this gate differently" in response.content.decode()
    assert GatePolicy.objects.get(target_stage=3).sla_business_days != 9


def test_a_preview_of_bad_input_is_a_400_and_previews_nothing(client, carl, rita, lena):
    policy = GatePolicy.objects.get(target_stage=3)
    client.force_login(carl)
    response = client.post(EDIT, _as_posted(policy, sla_business_days="0", preview="1"))
    assert response.status_code == 400
    assert response.context["preview"] is None


@pytest.mark.parametrize("who", ["eric", "rita", "audrey"])
def test_only_those_who_may_change_policy_preview_it(client, request, who, carl, lena):
    policy = GatePolicy.objects.get(target_stage=3)
    client.force_login(request.getfixturevalue(who))
    refusals = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count()
    response = client.post(EDIT, _as_posted(policy, preview="1"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == refusals + 1
