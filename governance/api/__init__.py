"""Running governance over the REST API: monitoring results and incidents."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from governance.api import observations

extra_urlpatterns: list = [
    path(
        "use-cases/<slug:slug>/versions/<str:label>/observations/",
        observations.ObservationViewSet.as_view({"get": "list", "post": "create"}),
        name="version-observations",
    ),
]


def register(router: DefaultRouter) -> None:
    """Governance's routes are all nested under a use case; none goes on the router yet."""
