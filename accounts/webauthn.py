"""The browser's half of security keys (WebAuthn), through allauth.mfa's ceremony.

A ceremony begins when a page is drawn: the options go into the page as JSON, and the challenge stays in
the session (allauth keeps it there), so the credential the browser posts back can only answer that page.
The relying party is the host the browser asked for, so keys work only on the portal's own name: browsers
refuse an IP address, and a plain-http origin other than localhost.
"""

from __future__ import annotations

import json
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.internal import auth
from django.core.exceptions import ValidationError

from accounts.models import User

WRONG_KEY = "That security key did not answer as expected: try again, or use a code."


def registration_options(user: User) -> dict[str, Any]:
    return auth.begin_registration(user, passwordless=False)


def authentication_options(user: User) -> dict[str, Any]:
    return auth.begin_authentication(user)


def _credential(raw: str) -> dict[str, Any]:
    try:
        credential = json.loads(raw)
    except ValueError:
        raise ValidationError(WRONG_KEY) from None
    if not isinstance(credential, dict):
        raise ValidationError(WRONG_KEY)
    return credential


# What fido2 raises for an answer with missing or malformed parts, besides allauth's own ValidationError.
MALFORMED = (ValidationError, KeyError, TypeError, ValueError)


def registration_verify(raw: str) -> dict[str, Any]:
    """The credential the browser made for this page's challenge, checked; raises ValidationError otherwise."""
    credential = _credential(raw)
    try:
        auth.parse_registration_response(credential)
        auth.complete_registration(credential)
    except MALFORMED:
        raise ValidationError(WRONG_KEY) from None
    return credential


def authentication_verify(user: User, raw: str) -> Authenticator | None:
    """The key of this person's that signed this page's challenge, or None."""
    try:
        credential = _credential(raw)
        auth.parse_authentication_response(credential)
        return auth.complete_authentication(user, credential)
    except MALFORMED:
        return None
