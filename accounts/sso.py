"""Sign-in through the organisation's identity provider: django-allauth's adapters, bent to the portal's rules.

- Accounts are created just in time, with the provider's username where it is free, and no password;
  an account the provider provisioned over SCIM under that username is the one signed in to.
- At every sign-in the person's roles and functions become what their groups map to
  (accounts/services/identity.py), before the session starts.
- A deactivated account is refused, and so is anything that goes wrong on the way: each refusal is a
  failed sign-in on the audit trail, and the person sees a page that says what happened.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render

from accounts.identity import groups_from_claims, identity_provider
from accounts.models import User
from accounts.services.identity import user_grants_apply
from audit.services import Verb, audit_record

SOURCE = "identity provider"


def _refuse(request: HttpRequest, *, username: str, user: User | None, reason: str, message: str, status: int):
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label=username or "(unknown)",
            verb=Verb.LOGIN_FAILED,
            obj=user,
            changes={"username": username, "via": SOURCE, "reason": reason},
        )
    provider = identity_provider()
    context = {"message": message, "provider_name": provider["name"] if provider else SOURCE}
    return ImmediateHttpResponse(render(request, "registration/sso_failed.html", context, status=status))


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up here: accounts come from administrators, provisioning or the identity provider."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        # The model backend restores the session's user on every request; the lockout backend does not.
        if not hasattr(user, "backend"):
            user.backend = "django.contrib.auth.backends.ModelBackend"
        super().login(request, user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if not sociallogin.is_existing:
            provisioned = self._provisioned_account(sociallogin)
            if provisioned is None:
                return
            # The provider provisioned this account over SCIM: its first sign-in is this account's, not a new one.
            sociallogin.connect(request, provisioned)
        user = sociallogin.user
        assert isinstance(user, User)
        if not user.is_active:
            raise _refuse(
                request,
                username=user.username,
                user=user,
                reason="deactivated",
                message="Your Stagegate account is deactivated. Ask an administrator if you still need it.",
                status=403,
            )
        user_grants_apply(user=user, groups=groups_from_claims(sociallogin.account.extra_data), source=SOURCE)
        user.refresh_from_db()

    @staticmethod
    def _provisioned_account(sociallogin: SocialLogin) -> User | None:
        """An account provisioned over SCIM under the provider's username (never a local one with a password)."""
        username = (sociallogin.user.username if sociallogin.user else "") or ""
        user = User.objects.filter(username=username, scim_username=username).first() if username else None
        return user if user is not None and not user.has_usable_password() else None

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            user_grants_apply(user=user, groups=groups_from_claims(sociallogin.account.extra_data), source=SOURCE)
        user.refresh_from_db()
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        cancelled = str(error) == "cancelled"
        raise _refuse(
            request,
            username="",
            user=None,
            reason=str(error or "unknown"),
            message="You cancelled signing in."
            if cancelled
            else "Signing in through your organisation did not complete. Try again; if it fails again, "
            "tell your administrator the time it happened.",
            status=401,
        )
