"""Request types for views that only signed-in people reach.

Pages sit behind PortalLoginRequiredMiddleware and the API behind DRF's
IsAuthenticated, so by the time a view runs `request.user` is one of our
users, never AnonymousUser. These types say so to the type checker; a view
that opts out of sign-in (`@login_not_required`) keeps a plain HttpRequest.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page's request: signed in, and HtmxMiddleware has said whether htmx sent it."""

    user: User
    htmx: HtmxDetails


class AuthenticatedRequest(Request):
    """An API request past IsAuthenticated (the default permission)."""

    user: User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a request whose type the framework fixes: the admin's methods, an @api_view function.

    Both are reached only signed in (the admin site wants active staff; the API
    wants IsAuthenticated), so the refusal here is a second lock, not a path.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
