"""Managing one's own second factors: new recovery codes, replacing or removing the authenticator app, and
adding and removing security keys (WebAuthn). Each change is on the audit trail; none leaves someone whose
role needs a second factor (accounts/mfa.py) without one.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from allauth.mfa.webauthn.internal.auth import WebAuthn
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.mfa import FACTOR_TYPES, second_factor_required
from accounts.models import User
from accounts.services.mfa import second_factor_code_use
from audit.services import Verb, audit_record

KEY_NAME_MAX = 60
WRONG_CURRENT_CODE = "That code is not right. Type the newest code from your app, or a recovery code."


def _lock(user: User) -> list[Authenticator]:
    # Every change to one person's factors locks their row first, so two tabs cannot each remove "the other" factor.
    User.objects.select_for_update().filter(pk=user.pk).get()
    return list(Authenticator.objects.filter(user=user).order_by("pk"))


def _refuse_if_last_required(user: User, remaining: list[Authenticator]) -> None:
    if second_factor_required(user) and not any(a.type in FACTOR_TYPES for a in remaining):
        raise ValidationError(
            "Your role needs a second factor, and this is your only one: add a security key first, "
            "or replace the authenticator app with a new one."
        )


def _drop_dangling_recovery_codes(user: User, remaining: list[Authenticator]) -> bool:
    # Recovery codes stand in for a factor; with none left there is nothing for them to stand in for.
    if any(a.type in FACTOR_TYPES for a in remaining):
        return False
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()[0] > 0


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes, to be shown once; the old ones stop working."""
    with transaction.atomic():
        factors = _lock(user)
        if not any(a.type in FACTOR_TYPES for a in factors):
            raise ValidationError("Recovery codes stand in for a second factor: set one up first.")
        Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
        codes = RecoveryCodes.activate(user).generate_codes()
        audit_record(actor=user, verb=Verb.MFA_RECOVERY_CODES_REGENERATED, obj=user, changes={"recovery_codes": 10})
    return codes


def authenticator_app_remove(*, user: User, code: str) -> None:
    """Remove the authenticator app, once the person proves they hold it (or a recovery code) with a code."""
    with transaction.atomic():
        factors = _lock(user)
        app = next((a for a in factors if a.type == Authenticator.Type.TOTP), None)
        if app is None:
            raise ValidationError("You have no authenticator app to remove.")
        remaining = [a for a in factors if a.pk != app.pk]
        _refuse_if_last_required(user, remaining)
        used = second_factor_code_use(user=user, code=code)
        if used is None:
            raise ValidationError({"code": WRONG_CURRENT_CODE})
        app.delete()
        dropped = _drop_dangling_recovery_codes(user, remaining)
        audit_record(
            actor=user,
            verb=Verb.MFA_REMOVED,
            obj=user,
            changes={"factor": "totp", "confirmed_with": used, "recovery_codes_removed": dropped},
        )


def authenticator_app_replace(*, user: User, current_code: str, secret: str, code: str) -> None:
    """Swap the authenticator app for a new one in one step: never a moment without one.

    `current_code` proves the person holds the old app (or a recovery code); `code` that the new one works.
    """
    if not validate_totp_code(secret, code.strip()):
        raise ValidationError({"code": "That code does not match: check the new app's clock, type its newest code."})
    with transaction.atomic():
        factors = _lock(user)
        app = next((a for a in factors if a.type == Authenticator.Type.TOTP), None)
        if app is None:
            raise ValidationError("You have no authenticator app to replace: set one up instead.")
        used = second_factor_code_use(user=user, code=current_code)
        if used is None:
            raise ValidationError({"current_code": WRONG_CURRENT_CODE})
        app.delete()
        TOTP.activate(user, secret)
        audit_record(actor=user, verb=Verb.MFA_REPLACED, obj=user, changes={"factor": "totp", "confirmed_with": used})


def security_key_add(*, user: User, name: str, credential: dict[str, Any]) -> tuple[Authenticator, list[str]]:
    """Keep a security key the browser has registered (checked by `webauthn_registration_complete` first).

    Returns the key, and the recovery codes when this is the person's first factor (to be shown once).
    """
    name = name.strip()
    if not name or len(name) > KEY_NAME_MAX:
        raise ValidationError({"name": f"Give the key a name of 1 to {KEY_NAME_MAX} characters."})
    with transaction.atomic():
        factors = _lock(user)
        if any(a.type == Authenticator.Type.WEBAUTHN and a.wrap().name == name for a in factors):
            raise ValidationError({"name": "You already have a key of that name."})
        key = WebAuthn.add(user, name, credential).instance
        codes: list[str] = []
        if not any(a.type == Authenticator.Type.RECOVERY_CODES for a in factors):
            codes = RecoveryCodes.activate(user).generate_codes()
        audit_record(
            actor=user,
            verb=Verb.MFA_KEY_ADDED,
            obj=user,
            changes={"factor": "webauthn", "name": name, "recovery_codes": len(codes)},
        )
    return key, codes


def security_key_remove(*, user: User, key: Authenticator) -> None:
    with transaction.atomic():
        factors = _lock(user)
        if not any(a.pk == key.pk for a in factors):
            raise ValidationError("That key is already gone.")
        remaining = [a for a in factors if a.pk != key.pk]
        _refuse_if_last_required(user, remaining)
        key.delete()
        dropped = _drop_dangling_recovery_codes(user, remaining)
        audit_record(
            actor=user,
            verb=Verb.MFA_REMOVED,
            obj=user,
            changes={"factor": "webauthn", "name": key.wrap().name, "recovery_codes_removed": dropped},
        )
