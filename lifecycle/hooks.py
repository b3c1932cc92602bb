"""How the registry tells the layers above it what changed, without knowing them.

The registry knows nothing of sign-off. Sign-off (and anything else built on
the registry) subscribes here from its AppConfig.ready(); the registry's
services announce. There are two kinds of announcement:

- `stage_leaving` runs *inside* the caller's transaction, before the registry
  locks the use case row. A demotion, a retirement or a prohibited
  classification takes the use case away from the stage its open requests
  were asked from; subscribers close them here, locking their own rows first,
  which keeps the lock order: a request before its use case.
- `announce` (evidence changed, version added, stage changed) runs each
  subscriber after the caller's transaction commits, in a transaction of its
  own, so it sees the change and takes its locks in the usual order rather
  than under whatever lock the registry holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User
    from lifecycle.models import UseCase


class ChangeKind(StrEnum):
    EVIDENCE_CHANGED = "evidence_changed"  # an artifact, a classification, readiness answers, registry fields
    VERSION_ADDED = "version_added"
    STAGE_CHANGED = "stage_changed"


@dataclass(frozen=True)
class RegistryChange:
    kind: ChangeKind
    use_case_id: int
    actor_id: int | None


ChangeSubscriber = Callable[[RegistryChange], None]
StageLeavingSubscriber = Callable[["UseCase", "User", str], None]

_change_subscribers: list[ChangeSubscriber] = []
_stage_leaving_subscribers: list[StageLeavingSubscriber] = []


def on_change(subscriber: ChangeSubscriber) -> ChangeSubscriber:
    """Subscribe to changes announced after commit. Usable as a decorator; subscribing twice is harmless."""
    if subscriber not in _change_subscribers:
        _change_subscribers.append(subscriber)
    return subscriber


def on_stage_leaving(subscriber: StageLeavingSubscriber) -> StageLeavingSubscriber:
    """Subscribe to a use case about to leave its stage (inside the transaction, before its row is locked)."""
    if subscriber not in _stage_leaving_subscribers:
        _stage_leaving_subscribers.append(subscriber)
    return subscriber


def announce(*, kind: ChangeKind, use_case: UseCase, actor: User | None) -> None:
    """Tell every subscriber, once the caller's transaction has committed."""
    change = RegistryChange(kind=kind, use_case_id=use_case.pk, actor_id=actor.pk if actor is not None else None)
    for subscriber in list(_change_subscribers):
        transaction.on_commit(partial(subscriber, change))


def stage_leaving(*, use_case: UseCase, actor: User, reason: str) -> None:
    """Let subscribers close what hangs on the current stage, inside the caller's transaction."""
    for subscriber in list(_stage_leaving_subscribers):
        subscriber(use_case, actor, reason)
