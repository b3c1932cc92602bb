"""The registry's REST API."""

from rest_framework.routers import DefaultRouter

from lifecycle.api.use_cases import UseCaseViewSet

extra_urlpatterns: list = []


def register(router: DefaultRouter) -> None:
    router.register("use-cases", UseCaseViewSet, basename="usecase")
