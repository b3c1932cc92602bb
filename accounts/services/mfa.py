"""Setting up a second factor, and checking one at sign-in. Both are on the audit trail."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import Verb, audit_record


def second_factor_activate(*, user: User, secret: str, code: str) -> list[str]:
    """Turn on the authenticator app whose secret the person was shown, once they prove it with a code from it.

    Returns the recovery codes, to be shown once.
    """
    if not validate_totp_code(secret, code.strip()):
        raise ValidationError({"code": "That code does not match: check the app's clock, and type the newest code."})
    with transaction.atomic():
        if Authenticator.objects.select_for_update().filter(user=user, type=Authenticator.Type.TOTP).exists():
            raise ValidationError({"code": "You already have an authenticator app set up."})
        TOTP.activate(user, secret)
        codes = RecoveryCodes.activate(user).generate_codes()
        audit_record(actor=user, verb=Verb.MFA_ENABLED, obj=user, changes={"factor": "totp", "recovery_codes": 10})
    return codes


def second_factor_verify(*, user: User, code: str) -> str | None:
    """Which factor this code is ("totp" or "recovery code"), or None; a wrong code is a failed sign-in."""
    code = code.strip().replace(" ", "")
    with transaction.atomic():
        used = None
        for authenticator in Authenticator.objects.select_for_update().filter(user=user).order_by("type"):
            if authenticator.type == Authenticator.Type.TOTP and authenticator.wrap().validate_code(code):
                used = "totp"
            elif authenticator.type == Authenticator.Type.RECOVERY_CODES and authenticator.wrap().validate_code(code):
                used = "recovery code"
            if used:
                authenticator.record_usage()
                break
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
