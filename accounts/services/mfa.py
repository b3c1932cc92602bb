"""Setting up a second factor, and checking one at sign-in. Both are on the audit trail."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from accounts.webauthn import authentication_verify
from audit.services import Verb, audit_record


def second_factor_activate(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on the authenticator app whose secret the person was shown, once they prove it with a code from it.

    Returns the new recovery codes, to be shown once (none if the person already has some).
    """
    if not validate_totp_code(secret, code.strip()):
        raise ValidationError({"code": "That code does not match: check the app's clock, and type the newest code."})
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).get()
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            raise ValidationError({"code": "You already have an authenticator app set up."})
        TOTP.activate(user, secret)
        # Someone who already has a security key keeps the recovery codes they were shown with it.
        had_codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
        codes = [] if had_codes else RecoveryCodes.activate(user).generate_codes()
        audit_record(
            actor=user, verb=Verb.MFA_ENABLED, obj=user, changes={"factor": "totp", "recovery_codes": len(codes)}
        )
    return codes


def second_factor_code_use(*, user: User, code: str) -> str | None:
    """Which factor this code is ("totp" or "recovery code"), used up; or None. Call inside a transaction."""
    code = code.strip().replace(" ", "")
    kinds = {Authenticator.Type.TOTP: "totp", Authenticator.Type.RECOVERY_CODES: "recovery code"}
    for authenticator in Authenticator.objects.select_for_update().filter(user=user, type__in=kinds).order_by("type"):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return kinds[Authenticator.Type(authenticator.type)]
    return None


def second_factor_verify(*, user: User, code: str) -> str | None:
    """Which factor this code is ("totp" or "recovery code"), or None; a wrong code is a failed sign-in."""
    with transaction.atomic():
        used = second_factor_code_use(user=user, code=code)
        audit_record(
            actor=None if used is None else user,
            actor_label=user.username,
            verb=Verb.LOGIN_FAILED if used is None else Verb.MFA_VERIFIED,
            obj=user,
            changes={"username": user.username, "reason": "wrong second-factor code"}
            if used is None
            else {"factor": used},
        )
    return used


def second_factor_key_verify(*, user: User, credential: str) -> bool:
    """Whether one of this person's security keys signed the sign-in page's challenge; audited either way."""
    with transaction.atomic():
        key = authentication_verify(user, credential)
        if key is not None:
            key.record_usage()
        audit_record(
            actor=None if key is None else user,
            actor_label=user.username,
            verb=Verb.LOGIN_FAILED if key is None else Verb.MFA_VERIFIED,
            obj=user,
            changes={"username": user.username, "reason": "security key not accepted"}
            if key is None
            else {"factor": "security key", "name": key.wrap().name},
        )
    return key is not None
