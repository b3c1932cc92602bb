"""Deactivating an account: whoever does it (provisioning, an administrator), everything that follows, at once."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts import hooks
from accounts.models import ApiToken, User
from accounts.services.tokens import api_token_revoke
from audit.services import Verb, audit_record


def _sessions_end(user: User) -> int:
    """Delete every live session of the user (the database holds them; each names its user inside)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, user: User, actor: User | None, actor_label: str = "", reason: str) -> bool:
    """Deactivate: sessions end, tokens are revoked, open reviews go back to their queues. False if already so."""
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, is_active=True).exists():
            return False
        hooks.user_deactivating(user, actor, reason)
        user = User.objects.get(pk=user.pk)
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = sum(
            api_token_revoke(token=token, actor=actor, reason="account deactivated")
            for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk")
        )
        ended = _sessions_end(user)
        audit_record(
            actor=actor,
            actor_label=actor_label,
            verb=Verb.ACCOUNT_DEACTIVATED,
            obj=user,
            changes={"reason": reason, "sessions_ended": ended, "tokens_revoked": revoked},
        )
    return True
