from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import ApiToken, TokenScope

LAST_USED_RESOLUTION = timedelta(minutes=5)


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer sg_...`; tokens are stored as SHA-256 only."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header: expected 'Bearer <token>'.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token contains invalid characters.") from None
        token = (
            ApiToken.objects.select_related("user")
            .prefetch_related("user__groups")
            .filter(key_hash=ApiToken.hash_key(key))
            .first()
        )
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown token: check it was copied whole.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(f"This token was revoked on {token.revoked_at:%Y-%m-%d %H:%M} UTC.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The account this token belongs to is deactivated.")
        # Noted at most every few minutes: a pipeline polling the gate must not write on every request.
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        return (token.user, token)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the bearer tokens in the OpenAPI schema (drf-spectacular finds it when this module is imported)."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A token from `manage.py issue_token USERNAME`."}


def required_scope(request: Any, view: Any) -> set[str]:
    """The scopes any one of which lets a token make this request.

    A view names them with `token_scopes` ({method: scopes}); otherwise reads need `read` and writes `push`.
    """
    declared = getattr(view, "token_scopes", {})
    if request.method in declared:
        return set(declared[request.method])
    return {TokenScope.READ} if request.method in SAFE_METHODS else {TokenScope.PUSH}


def token_scopes(scopes: dict[str, list[str]]) -> Callable[[Any], Any]:
    """The scopes a token needs, by method, for a function view: put it above @api_view."""

    def decorate(view: Any) -> Any:
        view.cls.token_scopes = scopes
        return view

    return decorate


class TokenScopes(BasePermission):
    """A token does only what its scopes say (a session, a person at the browser, is not limited here)."""

    message = "This token's scopes do not allow this."

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = required_scope(request, view)
        if needed & set(token.scopes):
            return True
        self.message = (
            f"This token's scopes ({', '.join(token.scopes) or 'none'}) do not include "
            f"{' or '.join(sorted(needed))}, which this needs."
        )
        return False
