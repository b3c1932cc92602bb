"""Who needs a second factor to sign in with a local account, and who has one.

Second factors are django-allauth's (allauth.mfa): a TOTP authenticator app, security keys (WebAuthn)
and recovery codes, stored in its Authenticator table. Recovery codes stand in for a lost factor; they are
not one of their own. The environment's MFA_REQUIRED (settings.SECOND_FACTOR_REQUIRED) says who
must have one: "admins" (production's default), "everyone", or "none" (the demo's default, where
accounts sign in with their password alone). People
who sign in through the identity provider never meet this: the provider asks for its own factors.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from accounts.models import User

# Session keys: a password checked whose second factor is still to come; a signed-in person who must set one up.
PENDING_SESSION_KEY = "stagegate.mfa.pending"
SETUP_SESSION_KEY = "stagegate.mfa.setup_required"
MAX_CODE_ATTEMPTS = 5


def second_factor_required(user: User) -> bool:
    policy = settings.SECOND_FACTOR_REQUIRED
    if policy == "everyone":
        return True
    return policy == "admins" and user.is_portal_admin


FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists()


def has_security_key(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()
