"""The registry's REST API: use cases, and nested under each its versions, evidence, classification and readiness."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from lifecycle.api import classification, evidence, readiness, versions
from lifecycle.api.use_cases import UseCaseViewSet

SLUG = "use-cases/<slug:slug>"

extra_urlpatterns: list = [
    path(
        f"{SLUG}/versions/",
        versions.VersionViewSet.as_view({"get": "list", "post": "create"}),
        name="usecase-versions",
    ),
    path(
        f"{SLUG}/artifacts/",
        evidence.ArtifactViewSet.as_view({"get": "list", "post": "create"}),
        name="usecase-artifacts",
    ),
    path(
        f"{SLUG}/artifacts/<int:pk>/download/",
        evidence.ArtifactViewSet.as_view({"get": "download"}),
        name="usecase-artifact-download",
    ),
    path(
        f"{SLUG}/risk-assessments/",
        classification.RiskAssessmentViewSet.as_view({"get": "list", "post": "create"}),
        name="usecase-risk-assessments",
    ),
    path(
        f"{SLUG}/risk-assessments/<int:pk>/decide/",
        classification.RiskAssessmentViewSet.as_view({"post": "decide"}),
        name="usecase-risk-assessment-decide",
    ),
    path(f"{SLUG}/readiness/", readiness.readiness, name="usecase-readiness"),
    path("questionnaire/", classification.questionnaire, name="questionnaire"),
]


def register(router: DefaultRouter) -> None:
    router.register("use-cases", UseCaseViewSet, basename="usecase")
