"""The sign-in page: the organisation's identity provider when one is configured, and local accounts.

A local account with a second factor is asked for a code before the session starts (mfa.py); one that
must have a second factor and has none is signed in and sent to set one up before anything else.
"""

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import redirect

from accounts.identity import identity_provider
from accounts.mfa import PENDING_SESSION_KEY, SETUP_SESSION_KEY, has_second_factor, second_factor_required


class SignInView(LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "identity_provider": identity_provider()}

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if has_second_factor(user):
            self.request.session[PENDING_SESSION_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "attempts": 0,
            }
            return redirect("accounts:mfa-verify")
        response = super().form_valid(form)
        if second_factor_required(user):
            self.request.session[SETUP_SESSION_KEY] = True
            return redirect("accounts:mfa-setup")
        return response

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **response_kwargs)
        if provider := context.get("identity_provider"):
            # The provider's button posts here and is sent on to the provider: browsers hold a form's
            # redirect to the page's form-action too.
            response._csp_update = {"form-action": [provider["origin"]]}  # type: ignore[attr-defined]
        return response
