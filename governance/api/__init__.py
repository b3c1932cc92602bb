"""Running governance over the REST API: suspension, findings, exceptions, monitoring results and incidents.

The same access functions and services as the pages; refusals take the one road (audit/refusals.py).
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from governance.api import exceptions, findings, incidents, observations, suspensions

SLUG = "use-cases/<slug:slug>"

extra_urlpatterns: list = [
    path(f"{SLUG}/suspension/", suspensions.suspension, name="usecase-suspension"),
    path(f"{SLUG}/suspension/lift/", suspensions.suspension_lift_api, name="usecase-suspension-lift"),
    path(
        "use-cases/<slug:slug>/versions/<str:label>/observations/",
        observations.ObservationViewSet.as_view({"get": "list", "post": "create"}),
        name="version-observations",
    ),
    path(
        "use-cases/<slug:slug>/incidents/",
        incidents.UseCaseIncidentViewSet.as_view({"get": "list", "post": "create"}),
        name="usecase-incidents",
    ),
]


def register(router: DefaultRouter) -> None:
    router.register("findings", findings.FindingViewSet, basename="finding")
    router.register("exceptions", exceptions.RequirementExceptionViewSet, basename="requirementexception")
    router.register("incidents", incidents.IncidentViewSet, basename="incident")
