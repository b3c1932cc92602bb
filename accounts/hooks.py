"""How accounts tell the layers above that someone left, without knowing them.

Sign-off subscribes from its AppConfig.ready(): the reviews a deactivated person held go back to their
function's queue and the leads are told. Subscribers run inside the deactivation's transaction, before
the account row changes, so they take their own locks in the usual order (requests, then reviews).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User

DeactivationSubscriber = Callable[["User", "User | None", str], None]
_deactivation_subscribers: list[DeactivationSubscriber] = []


def on_user_deactivated(subscriber: DeactivationSubscriber) -> DeactivationSubscriber:
    if subscriber not in _deactivation_subscribers:
        _deactivation_subscribers.append(subscriber)
    return subscriber


def user_deactivating(user: User, actor: User | None, reason: str) -> None:
    for subscriber in _deactivation_subscribers:
        subscriber(user, actor, reason)
