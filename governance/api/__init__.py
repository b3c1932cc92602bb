"""Running governance over the REST API: monitoring results and incidents."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from governance.api import incidents, observations

extra_urlpatterns: list = [
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
    router.register("incidents", incidents.IncidentViewSet, basename="incident")
