from django.contrib.auth.middleware import LoginRequiredMiddleware


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
