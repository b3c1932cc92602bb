"""SCIM 2.0's endpoints: django-scim2's own, with lists capped at the advertised maximum, and a SCIM error
(not an empty answer) where this portal does not support a part of the protocol.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django_scim import views
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI

from accounts.scim import MAX_RESULTS

app_name = "scim"


class _Capped:
    def _page(self, request: HttpRequest) -> tuple[int, int]:
        start, count = super()._page(request)  # type: ignore[misc]
        # RFC 7644 §3.4.2.4: a negative count means none; more than the maximum gets the maximum.
        return start, max(0, min(count, MAX_RESULTS))


class UsersView(_Capped, views.UsersView):
    pass


class GroupsView(_Capped, views.GroupsView):
    pass


class UserSearchView(_Capped, views.UserSearchView):
    pass


class GroupSearchView(_Capped, views.GroupSearchView):
    pass


class NotSupportedView(views.SCIMView):
    """RFC 7644 §3.11 and §3.7: a service provider without /Me or /Bulk answers 501 Not Implemented."""

    implemented = False
    detail = ""

    def status_501(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = {"schemas": [SchemaURI.ERROR], "status": "501", "detail": self.detail}
        return HttpResponse(json.dumps(body), status=501, content_type=SCIM_CONTENT_TYPE)


ME = "/Me is not supported: the provisioning token stands for the identity provider, not a person. Use /Users/{id}."
BULK = "Bulk operations are not supported: send each change on its own (ServiceProviderConfig says bulk is off)."
NO_ROOT = "Use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas."

# The same patterns as django_scim.urls, so every client and test finds the same addresses.
urlpatterns = [
    re_path(r"^$", NotSupportedView.as_view(detail=NO_ROOT), name="root"),
    re_path(r"^\.search$", NotSupportedView.as_view(detail="Search /Users/.search or /Groups/.search."), name="search"),
    re_path(r"^Users/\.search$", UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", UsersView.as_view(), name="users"),
    re_path(r"^Groups/\.search$", GroupSearchView.as_view(), name="groups-search"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?$", GroupsView.as_view(), name="groups"),
    re_path(r"^Me$", NotSupportedView.as_view(detail=ME), name="me"),
    re_path(r"^ServiceProviderConfig$", views.ServiceProviderConfigView.as_view(), name="service-provider-config"),
    re_path(r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", views.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", views.SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk$", NotSupportedView.as_view(detail=BULK), name="bulk"),
]
