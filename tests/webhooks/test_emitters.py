"""The registry's and sign-off's services announce their changes, in their own transactions, with small payloads."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from lifecycle.models import ArtifactKind, Stage
from lifecycle.services import use_case_demote, use_case_retire
from signoff import services
from signoff.models import Decision, Packet
from signoff.packets import packet_render
from tests import factories
from tests.signoff.helpers import put_at_stage, reviews_by_function
from tests.signoff.packet_builders import approved_request
from webhooks.models import EventType, WebhookDelivery, WebhookEvent
from webhooks.services import webhook_emit, webhook_endpoint_create, webhook_endpoint_update

pytestmark = pytest.mark.django_db

# Never contacted: these tests do not commit, so no delivery task runs.
HOOK_URL = "https://93.184.215.14/hooks/stagegate"


@pytest.fixture
def hook(admin_user):
    return webhook_endpoint_create(actor=admin_user, url=HOOK_URL)


def events() -> list[WebhookEvent]:
    return list(WebhookEvent.objects.order_by("created_at"))


def only(type: str) -> dict:
    [event] = [e for e in events() if e.type == type]
    return event.payload


def test_submission_announces_the_request(hook, in_review, credit):
    payload = only(EventType.REQUEST_SUBMITTED)
    assert payload == {
        "request": {
            "id": in_review.pk,
            "url": f"{settings.SITE_URL}/signoff/requests/{in_review.pk}/",
            "state": "submitted",
            "revision": 1,
            "from_stage": 2,
            "target_stage": 3,
            "version": in_review.version.label,
            "submitted_at": in_review.submitted_at.isoformat(),
        },
        "use_case": {"slug": "credit-scoring", "stage": 2, "url": f"{settings.SITE_URL}/use-cases/credit-scoring/"},
        "resubmitted": False,
        "snapshot_hash": in_review.snapshot_hash,
    }
    assert WebhookDelivery.objects.get().endpoint == hook


def test_approval_announces_the_stage_change_and_the_decision_then_the_packet(hook, erin, rita, carl, lena):
    request = approved_request(owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena})
    assert [e.type for e in events()] == [
        "request.submitted",
        "use_case.stage_changed",
        "request.decided",
    ]
    changed = only(EventType.USE_CASE_STAGE_CHANGED)
    assert changed["use_case"]["stage"] == 3
    assert changed["stage_change"]["kind"] == "promotion"
    assert (changed["stage_change"]["from_stage"], changed["stage_change"]["to_stage"]) == (2, 3)
    decided = only(EventType.REQUEST_DECIDED)
    assert decided["decision"] == "approved" and decided["by_function"] is None
    assert decided["use_case"]["stage"] == 3
    assert decided["request"]["decided_at"] == request.decided_at.isoformat()

    packet = packet_render(request=request)
    issued = only(EventType.PACKET_ISSUED)
    assert issued["packet"] == {
        "packet_id": packet.packet_id,
        "sha256": packet.sha256,
        "url": f"{settings.SITE_URL}/signoff/packets/{packet.packet_id}/",
        "download_url": f"{settings.SITE_URL}/signoff/packets/{packet.packet_id}/download/",
        "issued_at": packet.created_at.isoformat(),
    }
    assert issued["request"]["id"] == request.pk
    # Rendering again returns the stored packet and announces nothing new.
    packet_render(request=request)
    assert len([e for e in events() if e.type == EventType.PACKET_ISSUED]) == Packet.objects.count() == 1


def test_payloads_carry_no_comments_reasons_or_evidence(hook, erin, rita, carl, lena):
    request = approved_request(
        owner=erin, leads={"risk": rita, "compliance": carl, "legal": lena}, conditions_owner=erin
    )
    packet_render(request=request)
    sent = json.dumps([e.payload for e in events()])
    for private in ("Pilot met its KPI.", "monitor drift weekly", "Weekly drift report", "sign-off", "Summarise"):
        assert private not in sent


def test_rejection_announces_the_decision_and_which_function(hook, in_review, rita):
    review = reviews_by_function(in_review)["risk"]
    services.review_decide(review=review, actor=rita, decision=Decision.REJECT, comment="Not safe enough.")
    decided = only(EventType.REQUEST_DECIDED)
    assert (decided["decision"], decided["by_function"], decided["request"]["state"]) == (
        "rejected",
        "risk",
        "rejected",
    )
    assert "Not safe" not in json.dumps(decided)
    assert EventType.USE_CASE_STAGE_CHANGED not in [e.type for e in events()]


def test_resubmission_is_announced_as_such(hook, in_review, erin, rita):
    review = reviews_by_function(in_review)["risk"]
    services.review_decide(review=review, actor=rita, decision=Decision.REQUEST_CHANGES, comment="Add a model card.")
    factories.ArtifactFactory(use_case=in_review.use_case, kind=ArtifactKind.MODEL_CARD)
    services.readiness_request_resubmit(request=in_review, actor=erin)
    submitted = [e.payload for e in events() if e.type == EventType.REQUEST_SUBMITTED]
    assert [(p["resubmitted"], p["request"]["revision"], p["request"]["state"]) for p in submitted] == [
        (False, 1, "submitted"),
        (True, 2, "resubmitted"),
    ]


def test_demotion_and_retirement_are_stage_changes(hook, use_case, erin):
    put_at_stage(use_case, Stage.GUARDED)
    use_case_demote(use_case=use_case, actor=erin, to_stage=Stage.SANDBOX, reason="Incident 42")
    use_case_retire(use_case=use_case, actor=erin, reason="Replaced")
    changes = [e.payload["stage_change"] for e in events()]
    assert [(c["kind"], c["from_stage"], c["to_stage"]) for c in changes] == [
        ("demotion", 3, 1),
        ("retirement", 1, 9),
    ]
    assert "Incident 42" not in json.dumps([e.payload for e in events()])


def test_endpoints_get_only_the_events_they_subscribe_to(admin_user, hook, in_review):
    packets_only = webhook_endpoint_create(actor=admin_user, url=HOOK_URL, events=[EventType.PACKET_ISSUED])
    assert not WebhookDelivery.objects.filter(endpoint=packets_only).exists()
    assert WebhookDelivery.objects.filter(endpoint=hook).count() == 1


def test_nothing_is_stored_when_no_active_endpoint_wants_it(admin_user, hook, in_review, erin):
    webhook_endpoint_update(endpoint=hook, actor=admin_user, url=HOOK_URL, description="", events=[], is_active=False)
    WebhookEvent.objects.all().delete()
    services.readiness_request_withdraw(request=in_review, actor=erin)
    request = services.readiness_request_create(use_case=in_review.use_case, actor=erin, target_stage=3)
    services.readiness_request_submit(request=request, actor=erin)
    assert not WebhookEvent.objects.exists()


def test_unknown_types_and_the_test_ping_are_not_emitted_by_code(hook):
    for type in ("request.exploded", EventType.TEST):
        with pytest.raises(ValueError, match="Unknown webhook event type"):
            webhook_emit(type=type, payload={})


def test_suspension_is_a_type_receivers_may_subscribe_to_already(admin_user):
    endpoint = webhook_endpoint_create(actor=admin_user, url=HOOK_URL, events=[EventType.USE_CASE_SUSPENDED])
    event = webhook_emit(type=EventType.USE_CASE_SUSPENDED, payload={"use_case": {"slug": "x"}})
    assert event is not None and WebhookDelivery.objects.get().endpoint == endpoint
