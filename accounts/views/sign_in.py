"""The sign-in page: the organisation's identity provider when one is configured, and local accounts."""

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpResponse

from accounts.identity import identity_provider


class SignInView(LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "identity_provider": identity_provider()}

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        if provider := context.get("identity_provider"):
            # The provider's button posts here and is sent on to the provider: browsers hold a form's
            # redirect to the page's form-action too.
            response._csp_update = {"form-action": [provider["origin"]]}  # type: ignore[attr-defined]
        return response
