from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs sign-in; the API and SCIM provisioning authenticate themselves (bearer tokens).

    Django's middleware runs before DRF has read the Authorization header, so it
    would redirect a pipeline's token request to the sign-in page. DRF's own
    IsAuthenticated default answers 401/403 under /api/ instead.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(("/api/", "/scim/")):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """Signed-in pages and answers are never kept by a browser or a proxy: they show what only this person may see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
