"""Sign-off over the REST API: readiness requests, reviews and their decisions, packets and the pipeline gate.

The same access helpers and services as the pages. Refusals and a service's
ValidationError reach the client through the one road (audit/refusals.py):
400 with the messages, 403 (or 404 where the thing may not be seen), audited.
"""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from signoff.api import conditions, gate, packets, requests, reviews

extra_urlpatterns: list = [
    path("use-cases/<slug:slug>/gate/", gate.use_case_gate, name="use-case-gate"),
    # A packet's PDF at its own address, `/api/v1/packets/SG-2026-000001.pdf`: the one format suffix the API has.
    re_path(
        rf"^packets/(?P<packet_id>{packets.PACKET_ID_REGEX})\.(?P<format>pdf)$",
        packets.PacketViewSet.as_view({"get": "retrieve"}),
        name="packet-detail",
    ),
]


def register(router: DefaultRouter) -> None:
    router.register("readiness-requests", requests.ReadinessRequestViewSet, basename="readinessrequest")
    router.register("reviews", reviews.ReviewViewSet, basename="review")
    router.register("conditions", conditions.ConditionViewSet, basename="condition")
    packets.register(router)
