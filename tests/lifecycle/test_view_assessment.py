import pytest
from django.urls import reverse

from lifecycle.models import RiskAssessment, Tier

pytestmark = pytest.mark.django_db


def _url(use_case):
    return reverse("lifecycle:assessment-create", args=[use_case.slug])


def _post_data(**overrides):
    data = {f"Q{n:02d}": "no" for n in range(1, 21)}
    data.update(
        {"Q01": "yes", "Q01_rationale": "Learned model", "Q02": "yes", "Q02_rationale": "EU branch", "is_final": "1"}
    )
    data.pop("Q10")
    data.update(overrides)
    return data


def test_form_shows_version_source_and_checked_date(client, use_case, erin):
    client.force_login(erin)
    response = client.get(_url(use_case))
    html = response.content.decode()
    assert response.status_code == 200
    assert "eu-ai-act-2026-12" in html and "2026/1744" in html and "2 December 2026" in html
    assert "Q20" in html and 'name="Q10"' in html


def test_owner_classifies_high_risk_with_annex_iii_areas(client, use_case, erin):
    client.force_login(erin)
    response = client.post(
        _url(use_case),
        _post_data(
            Q10=["credit_scoring", "employment"], Q10_rationale="Credit decisions", Q19="yes", Q19_rationale="5(b)"
        ),
    )
    assert response.status_code == 302
    assessment = RiskAssessment.objects.get()
    assert assessment.tier == Tier.HIGH and assessment.is_final and assessment.fria_required
    assert assessment.annex_iii_areas == ["credit_scoring", "employment"]
    use_case.refresh_from_db()
    assert use_case.risk_tier == Tier.HIGH
    detail = client.get(reverse("lifecycle:assessment-detail", args=[use_case.slug, assessment.pk]))
    assert detail.status_code == 200 and b"Credit decisions" in detail.content


def test_a_yes_without_rationale_is_400_next_to_the_question(client, use_case, erin):
    client.force_login(erin)
    response = client.post(_url(use_case), _post_data(Q13="yes"))
    assert response.status_code == 400
    assert response.context["form"].errors["Q13"] == ["Give a rationale for this answer."]
    assert not RiskAssessment.objects.exists()


def test_unknown_values_are_400(client, use_case, erin):
    client.force_login(erin)
    response = client.post(_url(use_case), _post_data(Q04="maybe", Q10=["astrology"]))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"Q04", "Q10"}
    assert not RiskAssessment.objects.exists()


def test_unanswered_question_is_400_next_to_it(client, use_case, erin):
    client.force_login(erin)
    data = _post_data()
    data.pop("Q05")
    response = client.post(_url(use_case), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"Q05": ["Answer this question."]}
    assert not RiskAssessment.objects.exists()


def test_reassessment_starts_from_the_current_answers(client, use_case, erin):
    client.force_login(erin)
    client.post(_url(use_case), _post_data(Q13="yes", Q13_rationale="Chat"))
    form = client.get(_url(use_case)).context["form"]
    assert form.initial["Q13"] == "yes" and form.initial["Q13_rationale"] == "Chat"


@pytest.mark.parametrize("who", ["eric", "audrey", "rita"])
def test_others_get_403(client, request, use_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(_url(use_case), _post_data()).status_code == 403
    assert not RiskAssessment.objects.exists()


def test_detail_is_404_for_another_use_cases_assessment(client, use_case, erin):
    from tests import factories

    other = factories.RiskAssessmentFactory()
    client.force_login(erin)
    assert client.get(reverse("lifecycle:assessment-detail", args=[use_case.slug, other.pk])).status_code == 404
