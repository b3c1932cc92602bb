"""The REST API under /api/v1/. Each app contributes its routes from its own api.py."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from governance import api as governance_api
from lifecycle import api as lifecycle_api
from portal import api as portal_api
from signoff import api as signoff_api


class ApiRouter(DefaultRouter):
    # No format suffixes (`/use-cases.json`): JSON is the API's one format. Packets add their `.pdf` themselves.
    include_format_suffixes = False


router = ApiRouter()
for module in (lifecycle_api, signoff_api, governance_api, portal_api):
    module.register(router)

urlpatterns = [
    *lifecycle_api.extra_urlpatterns,
    *signoff_api.extra_urlpatterns,
    *governance_api.extra_urlpatterns,
    path("", include(router.urls)),
]
