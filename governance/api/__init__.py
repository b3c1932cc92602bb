"""Running governance over the REST API: suspension, findings and exceptions.

The same access functions and services as the pages; refusals take the one road (audit/refusals.py).
"""

from django.urls import path
from rest_framework.routers import DefaultRouter

from governance.api import exceptions, findings, suspensions

SLUG = "use-cases/<slug:slug>"

extra_urlpatterns: list = [
    path(f"{SLUG}/suspension/", suspensions.suspension, name="usecase-suspension"),
    path(f"{SLUG}/suspension/lift/", suspensions.suspension_lift_api, name="usecase-suspension-lift"),
]


def register(router: DefaultRouter) -> None:
    router.register("findings", findings.FindingViewSet, basename="finding")
    router.register("exceptions", exceptions.RequirementExceptionViewSet, basename="requirementexception")
