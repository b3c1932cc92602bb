"""Someone who must have a second factor and has none does nothing else until it is set up."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa import SETUP_SESSION_KEY


class SecondFactorSetupMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        if session is not None and session.get(SETUP_SESSION_KEY) and request.user.is_authenticated:
            # Either factor will do: the authenticator app, or a security key.
            allowed = (
                reverse("accounts:mfa-setup"),
                reverse("accounts:mfa-factors"),
                reverse("accounts:mfa-key-add"),
                reverse("logout"),
            )
            if request.path_info not in allowed and not request.path_info.startswith("/static/"):
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": "Set up your second factor first."}, status=403)
                return redirect("accounts:mfa-setup")
        return self.get_response(request)
