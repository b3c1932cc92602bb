"""The one road for refusals: a refused write is answered 403/404/400 and audited exactly once, page or API."""

import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from audit.refusals import ValidationErrorMiddleware, validation_messages
from audit.services import Verb
from signoff.models import RequestState

pytestmark = pytest.mark.django_db


def refusals():
    return list(AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED))


def test_a_refused_page_write_is_one_event_pointing_at_what_it_refused(client, in_review, eric):
    client.force_login(eric)
    response = client.post(reverse("signoff:request-withdraw", args=[in_review.pk]), {"reason": "mine now"})
    assert response.status_code == 403
    [event] = refusals()
    assert (event.actor, event.object_type, event.object_id) == (eric, "signoff.readinessrequest", str(in_review.pk))
    assert (event.use_case_id, event.request_id) == (in_review.use_case_id, in_review.pk)
    assert event.changes["status"] == 403
    assert event.changes["reason"] == "Only the submitter or the use case's owners may withdraw this request."
    assert event.changes["reason"] in html.unescape(response.content.decode())
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED


def test_a_refused_api_write_is_one_event_pointing_at_what_it_refused(client, in_review, eric):
    client.force_login(eric)
    response = client.post(
        f"/api/v1/readiness-requests/{in_review.pk}/withdraw/", json.dumps({"reason": "x"}), "application/json"
    )
    assert response.status_code == 403
    [event] = refusals()
    assert (event.object_type, event.object_id, event.request_id) == (
        "signoff.readinessrequest",
        str(in_review.pk),
        in_review.pk,
    )
    assert event.changes["reason"] == response.json()["detail"]
    assert response.json() == {"detail": "Only the submitter or the use case's owners may withdraw this request."}
    in_review.refresh_from_db()
    assert in_review.state == RequestState.SUBMITTED


def test_a_refused_read_is_not_a_permanent_row(client, in_review, nobody):
    client.force_login(nobody)
    assert client.get(reverse("signoff:request-detail", args=[in_review.pk])).status_code == 404
    assert refusals() == []


def test_a_validation_error_no_view_caught_is_a_400_page_with_its_message(erin):
    request = RequestFactory().post("/anywhere/")
    request.user = erin
    middleware = ValidationErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, ValidationError({"reason": "Say why."}))
    assert response.status_code == 400
    assert "Say why." in response.content.decode()
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_validation_messages_name_their_field():
    assert validation_messages(ValidationError({"stage": "Too high.", "__all__": "Closed."})) == {
        "stage": ["Too high."],
        "non_field_errors": ["Closed."],
    }
    assert validation_messages(ValidationError(["One.", "Two."])) == {"non_field_errors": ["One.", "Two."]}
