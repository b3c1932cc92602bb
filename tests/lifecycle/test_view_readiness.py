import pytest
from django.urls import reverse

from lifecycle.models import ReadinessAnswer, ReadinessQuestion
from tests import factories

pytestmark = pytest.mark.django_db


def _url(use_case):
    return reverse("lifecycle:readiness-edit", args=[use_case.slug])


def test_owner_answers_with_notes_and_evidence(client, use_case, erin):
    artifact = factories.ArtifactFactory(use_case=use_case)
    client.force_login(erin)
    assert client.get(_url(use_case)).status_code == 200
    response = client.post(
        _url(use_case),
        {
            "business_kpi": "yes",
            "business_kpi_note": "AHT -15%",
            "representative_data": "yes",
            "representative_data_artifact": artifact.pk,
            "workflow_integration": "no",
            "workflow_integration_note": "CRM next quarter",
        },
    )
    assert response.status_code == 302
    answers = {a.question: a for a in ReadinessAnswer.objects.all()}
    assert set(answers) == {"business_kpi", "representative_data", "workflow_integration"}
    assert answers["representative_data"].artifact == artifact
    assert answers["workflow_integration"].answer is False


def test_answer_without_support_is_400(client, use_case, erin):
    client.force_login(erin)
    response = client.post(_url(use_case), {"named_owner": "yes"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        ReadinessQuestion.NAMED_OWNER: ["Add a note or link an artifact that supports the answer."]
    }
    assert not ReadinessAnswer.objects.exists()


def test_another_use_cases_artifact_cannot_be_linked(client, use_case, erin):
    foreign = factories.ArtifactFactory()
    client.force_login(erin)
    response = client.post(_url(use_case), {"named_owner": "yes", "named_owner_artifact": foreign.pk})
    assert response.status_code == 400 and not ReadinessAnswer.objects.exists()


@pytest.mark.parametrize("who", ["eric", "audrey"])
def test_others_get_403(client, request, use_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(use_case), {"named_owner": "yes", "named_owner_note": "x"}).status_code == 403
    assert not ReadinessAnswer.objects.exists()
