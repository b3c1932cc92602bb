"""Issuing and revoking API tokens, and creating the service accounts pipelines use.

The page, `manage.py issue_token` and the admin all come here, so a token is issued and revoked one way,
and always on the record. The key itself is returned once and never stored: only its SHA-256 is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, TokenScope, User
from accounts.roles import Role
from audit.refusals import Refused
from audit.services import Verb, audit_record


def _scopes_clean(*, holder: User, scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({str(s) for s in scopes})
    unknown = [s for s in cleaned if s not in TokenScope.values]
    if unknown or not cleaned:
        raise ValidationError(
            {"scopes": f"Unknown scope {', '.join(unknown) or '(none given)'}: use {', '.join(TokenScope.values)}."}
        )
    if holder.is_service_account and TokenScope.REVIEW in cleaned:
        raise ValidationError({"scopes": "A service account never reviews: leave out the review scope."})
    return cleaned


def api_token_issue(
    *,
    holder: User,
    actor: User | None,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None,
    actor_label: str = "",
) -> tuple[ApiToken, str]:
    """A new token for `holder`, and its key: the only time anyone sees it."""
    if not holder.is_active:
        raise ValidationError({"holder": f"{holder.username} is deactivated: a token for them would never work."})
    cleaned = _scopes_clean(holder=holder, scopes=scopes)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    key = ApiToken.generate_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=holder,
            name=name.strip()[:100],
            key_hash=ApiToken.hash_key(key),
            key_prefix=key[:10],
            scopes=cleaned,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            actor_label=actor_label,
            verb=Verb.TOKEN_ISSUED,
            obj=holder,
            changes={
                "token": token.key_prefix,
                "name": token.name,
                "scopes": cleaned,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, key


def api_token_revoke(*, token: ApiToken, actor: User | None, reason: str = "") -> bool:
    """Revoke a token at once; False if it was revoked already (nothing changes, nothing is recorded)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            verb=Verb.TOKEN_REVOKED,
            obj=locked.user,
            changes={"token": locked.key_prefix, "name": locked.name, **({"reason": reason} if reason else {})},
        )
    token.revoked_at = locked.revoked_at
    return True


def service_account_create(*, username: str, owner: User, actor: User | None, actor_label: str = "") -> User:
    """A pipeline's account: it signs in with tokens only, registers versions and evidence as an engineer does,
    never reviews, and an administrator answers for it."""
    if not owner.is_active or not owner.is_portal_admin:
        raise Refused("Only an administrator may own a service account.", obj=owner)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "Give the service account a name."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The name {username!r} is taken."})
    with transaction.atomic():
        account = User(username=username, is_service_account=True, service_account_owner=owner)
        account.set_unusable_password()
        account.full_clean(exclude=["password"])
        account.save()
        account.groups.add(Group.objects.get(name=Role.ENGINEER))
        audit_record(
            actor=actor,
            actor_label=actor_label,
            verb=Verb.SERVICE_ACCOUNT_CREATED,
            obj=account,
            changes={"username": account.username, "owner": owner.username},
        )
    return account
