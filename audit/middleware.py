from collections.abc import Callable

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse

from audit.services import actor_context_reset, actor_context_set, current_ip


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted
    # proxy rewrites it, and the audit trail must not record a forged address.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client's address, and who is signed in, available to audit_record for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        actor_token = actor_context_set(lambda: _signed_in(request))
        try:
            return self.get_response(request)
        finally:
            actor_context_reset(actor_token)
            current_ip.reset(token)


def _signed_in(request: HttpRequest) -> AbstractBaseUser | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
