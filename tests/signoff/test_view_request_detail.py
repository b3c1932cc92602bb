"""The request page: evidence, checklist, reviews, discussion, and only this user's actions."""

import pytest
from django.urls import reverse

from lifecycle.models import ArtifactKind
from signoff import services
from signoff.models import Decision, Packet, RequestComment
from tests import factories
from tests.signoff.helpers import reviews_by_function, supply_evidence

pytestmark = pytest.mark.django_db


def test_submitter_sees_snapshot_checklist_and_own_actions(client, erin, in_review):
    client.force_login(erin)
    response = client.get(in_review.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert in_review.snapshot_hash in body
    assert in_review.evidence_snapshot["artifacts"][0]["sha256"] in body
    assert "Risk sign-off outstanding" in body
    assert response.context["actions"] == ["withdraw", "comment"]


def test_reviewer_sees_what_changed_since_last_look(client, in_review, erin, rita):
    review = reviews_by_function(in_review)["risk"]
    services.review_claim(review=review, actor=rita)
    client.force_login(rita)
    client.get(review.get_absolute_url())
    services.review_decide(review=review, actor=rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card")
    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    services.readiness_request_resubmit(request=in_review, actor=erin)
    response = client.get(in_review.get_absolute_url())
    assert [c.detail for c in response.context["changes_since_last_look"]] == ["Added model card: model_card.pdf."]
    # Looking once is enough: the next visit shows nothing new.
    again = client.get(in_review.get_absolute_url())
    assert again.context["changes_since_last_look"] == []


def test_auditor_reads_but_has_no_actions(client, audrey, in_review):
    client.force_login(audrey)
    response = client.get(in_review.get_absolute_url())
    assert response.status_code == 200
    assert response.context["actions"] == []
    assert [row["actions"] for row in response.context["review_rows"]] == [[], [], []]


def test_no_role_gets_404(client, nobody, in_review):
    client.force_login(nobody)
    assert client.get(in_review.get_absolute_url()).status_code == 404


def test_unknown_request_is_404(client, erin):
    client.force_login(erin)
    assert client.get(reverse("signoff:request-detail", args=[999999])).status_code == 404


def test_query_count_is_bounded(client, erin, in_review, django_assert_max_num_queries):
    client.force_login(erin)
    with django_assert_max_num_queries(30):
        assert client.get(in_review.get_absolute_url()).status_code == 200


def test_comment_is_posted_and_auditor_refused(client, erin, audrey, in_review):
    url = reverse("signoff:request-comment", args=[in_review.pk])
    client.force_login(audrey)
    assert client.post(url, {"body": "hello"}).status_code == 403
    client.force_login(erin)
    response = client.post(url, {"body": "Rollback drill attached."})
    assert response.status_code == 302
    assert RequestComment.objects.get().body == "Rollback drill attached."
    blank = client.post(url, {"body": "   "})
    assert blank.status_code == 400
    assert "Write something" in blank.content.decode()
    assert RequestComment.objects.count() == 1


def test_an_approval_shows_its_packet_being_prepared_until_the_worker_has_rendered_it(
    client, erin, use_case, django_capture_on_commit_callbacks
):
    supply_evidence(use_case, 1)
    with django_capture_on_commit_callbacks() as after_commit:
        request = services.readiness_request_submit(
            request=services.readiness_request_create(use_case=use_case, actor=erin, target_stage=1), actor=erin
        )
    client.force_login(erin)
    waiting = client.get(request.get_absolute_url()).content.decode()
    # The page asks for itself again every two seconds and swaps in the status alone.
    assert (
        f'<p id="packet-status" role="status" aria-busy="true" hx-get="{request.get_absolute_url()}" '
        'hx-trigger="every 2s" hx-select="#packet-status" hx-swap="outerHTML">'
        "The sign-off packet is being prepared; it appears here in a moment.</p>"
    ) in waiting
    for callback in after_commit:  # the render task, run as the worker would
        callback()
    packet = Packet.objects.get(request=request)
    ready = client.get(request.get_absolute_url()).content.decode()
    assert (
        f'<p id="packet-status"><a href="{packet.get_absolute_url()}">Sign-off packet {packet.packet_id}</a></p>'
    ) in ready
    assert "being prepared" not in ready
