from rest_framework.routers import DefaultRouter

extra_urlpatterns: list = []


def register(router: DefaultRouter) -> None:
    pass
