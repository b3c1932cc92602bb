from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse

from portal.audit import current_ip


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted
    # proxy rewrites it, and the audit trail must not record a forged address.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Makes the client's address available to audit_record for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs sign-in; the API authenticates itself (bearer token or session).

    Django's middleware runs before DRF has read the Authorization header, so it
    would redirect a pipeline's token request to the sign-in page. DRF's own
    IsAuthenticated default answers 401/403 under /api/ instead.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
