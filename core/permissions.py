"""The API's default permission: signed in (session or bearer token)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle


class SignedIn(IsAuthenticated):
    """Signed in; a client that is not is slowed down before it is refused.

    DRF checks permissions before throttles, so with IsAuthenticated alone an
    unauthenticated client would get its 401 at any rate it liked.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if super().has_permission(request, view):
            return True
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, view):
            raise Throttled(wait=throttle.wait())
        return False
