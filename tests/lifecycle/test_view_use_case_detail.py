import pytest
from django.urls import reverse

from lifecycle.models import ArtifactKind, ReadinessQuestion, Stage
from lifecycle.services import risk_assessment_record, use_case_demote
from tests import factories
from tests.lifecycle.helpers import answers

pytestmark = pytest.mark.django_db


def _url(use_case):
    return reverse("lifecycle:use-case-detail", args=[use_case.slug])


def test_shows_the_whole_registry_entry(client, use_case, erin, rita):
    version = factories.ModelVersionFactory(use_case=use_case, label="2.1.0")
    factories.EvaluationMetricFactory(version=version, name="faithfulness", value=0.8, threshold=0.9)
    old = factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.ROLLBACK_TEST, original_name="old.pdf")
    old.is_current = False
    old.save()
    current = factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.ROLLBACK_TEST, original_name="new.pdf")
    factories.readiness_all_yes(use_case)
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q13=True), is_final=False)
    use_case.__class__.objects.filter(pk=use_case.pk).update(stage=Stage.CONTROLLED)
    use_case_demote(use_case=use_case, actor=erin, to_stage=Stage.SANDBOX, reason="Latency incident INC-7")

    client.force_login(rita)
    response = client.get(_url(use_case))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Support ticket summaries",
        "Average handling time down 15%",
        "2.1.0",
        "faithfulness",
        "fails",
        current.sha256,
        old.sha256,
        "Superseded evidence (1)",
        "Limited / transparency",
        "pre-screen",
        ReadinessQuestion.BUSINESS_KPI.label,
        "Latency incident INC-7",
        "Erin",
    ]:
        assert text in html, text
    assert response.context["actions"] == {"demote"}  # rita is not an owner; as a risk lead she may demote


def test_owner_sees_their_actions(client, use_case, erin):
    client.force_login(erin)
    response = client.get(_url(use_case))
    assert response.context["actions"] == {"edit", "add_version", "upload", "classify", "readiness", "retire"}
    assert reverse("lifecycle:use-case-edit", args=[use_case.slug]).encode() in response.content


def test_auditor_sees_no_actions(client, use_case, audrey):
    client.force_login(audrey)
    response = client.get(_url(use_case))
    assert response.status_code == 200 and response.context["actions"] == set()
    assert b"Upload evidence" not in response.content


def test_no_role_gets_404(client, use_case, nobody):
    client.force_login(nobody)
    assert client.get(_url(use_case)).status_code == 404


def test_unknown_slug_is_404(client, erin):
    client.force_login(erin)
    assert client.get(reverse("lifecycle:use-case-detail", args=["nope"])).status_code == 404


def test_query_count_is_bounded(client, use_case, erin, django_assert_max_num_queries):
    for n in range(5):
        v = factories.ModelVersionFactory(use_case=use_case)
        factories.EvaluationMetricFactory.create_batch(3, version=v)
        factories.ArtifactFactory(use_case=use_case, kind=ArtifactKind.OTHER, original_name=f"n{n}.pdf")
    client.force_login(erin)
    with django_assert_max_num_queries(25):
        assert client.get(_url(use_case)).status_code == 200


def test_owner_is_pointed_to_the_next_stage_others_are_not(client, use_case, erin, rita):
    link = reverse("signoff:request-create", args=[use_case.slug]).encode()
    client.force_login(erin)
    assert link in client.get(_url(use_case)).content
    client.force_login(rita)
    assert link not in client.get(_url(use_case)).content


def test_an_administrator_who_does_not_own_it_is_not_offered_promotion(client, use_case, admin_user):
    # Administrators edit the registry, but only owners ask for promotion; the link would end in a 403.
    link = reverse("signoff:request-create", args=[use_case.slug])
    client.force_login(admin_user)
    page = client.get(_url(use_case))
    assert page.status_code == 200
    assert page.context["actions"] == {"edit", "add_version", "upload", "classify", "readiness", "retire"}
    assert link.encode() not in page.content
    assert client.get(link).status_code == 403


def test_prohibited_use_case_says_it_cannot_move(client, use_case, erin):
    risk_assessment_record(use_case=use_case, actor=erin, answers=answers(Q05=True), is_final=True)
    client.force_login(erin)
    response = client.get(_url(use_case))
    assert b"can never leave stage 0" in response.content
    assert reverse("signoff:request-create", args=[use_case.slug]).encode() not in response.content
