"""The world the permission matrix runs in: one of everything, reached through the real services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb, audit_record
from governance.models import RequirementException
from governance.services import finding_raise
from lifecycle.models import Artifact, RiskAssessment, Tier
from notifications.models import Notification
from signoff import services
from signoff.models import Packet, ReadinessRequest, Review, ReviewCondition
from tests.signoff.helpers import business_owner, high_risk_use_case, supply_evidence
from tests.signoff.packet_builders import packet_stub
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create, webhook_endpoint_ping


@dataclass
class World:
    slug: str
    artifact: int
    assessment: int
    request: int
    review: int
    function: str
    packet_id: str
    audit_seq: int
    notification: int
    condition: int
    webhook_endpoint: int
    webhook_delivery: int
    finding: int = 0
    exception: int = 0


def world_build(*, erin: User, admin: User) -> World:
    bob = business_owner("bob")
    credit = high_risk_use_case(erin, bob, stage=2)
    # An earlier, approved request (1 → 2) with its packet; then the open one for stage 3.
    packet = packet_stub(use_case=credit, target_stage=2)
    supply_evidence(credit, 3, tier=Tier.HIGH)
    request = services.readiness_request_create(use_case=credit, actor=erin, target_stage=3)
    request = services.readiness_request_submit(request=request, actor=erin)
    review = Review.objects.get(request=request, revision=request.revision, function__key="risk")
    with transaction.atomic():
        audit_record(actor=erin, verb=Verb.USE_CASE_UPDATED, obj=credit, use_case_id=credit.pk)
    # A condition erin must meet, set (in this world, directly) by risk: open, so nothing awaits acceptance.
    condition = ReviewCondition.objects.create(
        review=review,
        use_case=credit,
        text="Monitor drift weekly",
        owner=erin,
        due_date=timezone.localdate() + timedelta(days=30),
    )
    notification = Notification.objects.create(user=erin, kind="assigned", title="Something for erin")
    # A public address that is never called: the matrix's transactions never commit, so no task runs.
    endpoint = webhook_endpoint_create(actor=admin, url="https://93.184.215.14/hooks/stagegate")
    ping = webhook_endpoint_ping(endpoint=endpoint, actor=admin)
    finding = finding_raise(
        use_case=credit,
        actor=erin,
        source="validation",
        severity="low",
        title="Thin-file calibration",
        description="",
        due_date=datetime.date(2030, 1, 31),
    )
    # Waives a requirement that is met anyway, so that it changes no other route's answer.
    exception = RequirementException.objects.create(
        use_case=credit,
        requirement_key="registry.purpose",
        reason="Matrix",
        compensating_controls="None needed",
        expires_on=datetime.date(2030, 1, 31),
        granted_by=admin,
    )
    return World(
        slug=credit.slug,
        artifact=Artifact.objects.filter(use_case=credit).first().pk,
        assessment=RiskAssessment.objects.filter(use_case=credit).first().pk,
        request=ReadinessRequest.objects.get(pk=request.pk).pk,
        review=review.pk,
        function="risk",
        packet_id=Packet.objects.get(pk=packet.pk).packet_id,
        audit_seq=AuditEvent.objects.order_by("-seq").first().seq,
        notification=notification.pk,
        condition=condition.pk,
        webhook_endpoint=endpoint.pk,
        webhook_delivery=WebhookDelivery.objects.get(event=ping).pk,
        finding=finding.pk,
        exception=exception.pk,
    )
