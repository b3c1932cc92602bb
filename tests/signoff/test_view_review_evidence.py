"""The review page holds what the reviewer signs: the submitted evidence beside the decision."""

import pytest
from django.urls import reverse

from lifecycle.models import Artifact, ArtifactKind, EvaluationMetric
from signoff import services
from signoff.views import snapshot
from tests import factories
from tests.portal.dashboard_data import request_make, review_make
from tests.signoff.helpers import reviews_by_function, submitted_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(in_review):
    return reviews_by_function(in_review)["risk"]


def test_every_submitted_file_can_be_opened_from_the_review_page(client, rita, risk):
    client.force_login(rita)
    response = client.get(risk.get_absolute_url())

    assert response.status_code == 200
    snap = response.context["snap"]
    recorded = risk.request.evidence_snapshot["artifacts"]
    assert [a["name"] for a in snap["artifacts"]] == [a["name"] for a in recorded]
    body = response.content.decode()
    for item in recorded:
        url = reverse("lifecycle:artifact-download", args=[risk.request.use_case.slug, item["id"]])
        assert f'href="{url}"' in body
        assert f'href="{url}?inline=1"' in body
    report = Artifact.objects.get(use_case=risk.request.use_case, kind=ArtifactKind.EVALUATION_REPORT, is_current=True)
    assert snap["evaluation_report"]["open_url"] == f"{report.get_absolute_url()}?inline=1"
    assert "Open the evaluation report" in body


def test_metrics_are_read_against_their_thresholds(client, credit, erin, rita, carl, lena, ravi, cora, leo):
    version = credit.versions.get()
    EvaluationMetric.objects.filter(version=version).delete()
    EvaluationMetric.objects.create(version=version, name="toxicity", value=0.01, threshold=0.05, direction="lte")
    EvaluationMetric.objects.create(version=version, name="accuracy", value=0.93, threshold=0.9, direction="gte")
    review = reviews_by_function(submitted_request(credit, erin, 3))["risk"]

    client.force_login(rita)
    response = client.get(review.get_absolute_url())

    rows = {m["name"]: m for m in response.context["snap"]["metric_rows"]}
    assert rows["accuracy"]["passes"] is True and rows["accuracy"]["rule"] == "at least"
    assert rows["toxicity"]["passes"] is True and rows["toxicity"]["rule"] == "at most"
    body = response.content.decode()
    assert body.count("meets the threshold") == 2
    assert "lte" not in body and "gte" not in body


def test_classification_and_readiness_answers_are_shown_in_words(client, rita, risk):
    client.force_login(rita)
    body = client.get(risk.get_absolute_url()).content.decode()

    assert "High-risk (Art. 6)" in body
    assert "Is there a business KPI the use case must move?" in body
    assert "business_kpi" not in body


def test_a_pdf_opens_in_the_browser_and_other_types_still_download(client, rita, risk):
    report = Artifact.objects.get(use_case=risk.request.use_case, kind=ArtifactKind.EVALUATION_REPORT, is_current=True)
    client.force_login(rita)

    inline = client.get(f"{report.get_absolute_url()}?inline=1")
    attached = client.get(report.get_absolute_url())

    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    assert attached["Content-Disposition"].startswith("attachment")
    assert "sandbox" in attached["Content-Security-Policy"]


def test_a_hand_over_note_is_on_the_page_and_the_lead_decides_as_lead(client, rita, ravi, risk):
    services.review_claim(review=risk, actor=rita)
    services.review_hand_over(review=risk, actor=rita, to=ravi, note="Out until Monday; the lineage file matters.")

    client.force_login(ravi)
    mine = client.get(risk.get_absolute_url()).content.decode()
    client.force_login(rita)
    lead = client.get(risk.get_absolute_url()).content.decode()

    assert "Out until Monday; the lineage file matters." in mine
    assert "Your decision" in mine
    assert "Your decision" not in lead
    assert "Decide as lead" in lead


def test_the_review_page_reads_in_a_fixed_number_of_queries(client, rita, risk, django_assert_max_num_queries):
    client.force_login(rita)
    with django_assert_max_num_queries(40):
        assert client.get(risk.get_absolute_url()).status_code == 200


def test_a_metric_missing_its_threshold_says_so():
    row = snapshot._metric_row({"name": "recall", "value": 0.7, "threshold": 0.8, "direction": "gte"})
    assert row == {"name": "recall", "value": 0.7, "threshold": 0.8, "rule": "at least", "passes": False}


def test_a_member_who_may_not_decide_is_told_why_on_the_request_and_the_queue(client, rita, ravi):
    own = factories.UseCaseFactory(title="Rita's risk dashboard", technical_owner=rita)
    request = request_make(own, submitter=rita)
    review_make(request, "risk")

    client.force_login(rita)
    page = client.get(request.get_absolute_url()).content.decode()
    queue = client.get(reverse("signoff:review-queue")).content.decode()

    assert "Not yours to decide: You submitted this request; someone else must review it." in page
    assert "You own or submitted this: someone else decides it" in queue
    client.force_login(ravi)
    assert "Not yours to decide" not in client.get(request.get_absolute_url()).content.decode()


def test_promote_to_offers_only_the_next_stage_and_a_stay(client, erin, use_case, credit):
    client.force_login(erin)
    proposed = client.get(reverse("signoff:request-create", args=[use_case.slug])).context["form"]
    at_two = client.get(reverse("signoff:request-create", args=[credit.slug])).context["form"]

    page = client.get(reverse("signoff:request-create", args=[use_case.slug])).content.decode()
    assert "stage.next" not in page and "classification.present" not in page
    assert [v for v, _ in proposed.offered] == [1]
    assert [v for v, _ in at_two.offered] == [3, 2]
    assert client.post(reverse("signoff:request-create", args=[credit.slug]), {"target_stage": "4"}).status_code == 400


def test_an_approved_request_shows_its_checklist_as_approved(client, erin, rita, carl, lena, in_review):
    from tests.signoff.helpers import decide

    reviews = reviews_by_function(in_review)
    decide(reviews["risk"], rita)
    decide(reviews["compliance"], carl)
    decide(reviews["legal"], lena)
    client.force_login(erin)

    response = client.get(in_review.get_absolute_url())

    assert response.context["gate_recorded"] is True
    assert all(r["met"] for r in response.context["gate"]["requirements"])
    assert "As recorded when the request was approved" in response.content.decode()
