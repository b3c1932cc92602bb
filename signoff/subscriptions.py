"""Sign-off's subscriptions to the registry's announcements (lifecycle/hooks.py)."""

from __future__ import annotations

from accounts.models import User
from lifecycle.hooks import ChangeKind, RegistryChange
from lifecycle.models import UseCase
from signoff.models import IN_REVIEW_STATES, ReadinessRequest
from signoff.services import readiness_request_check_snapshot, readiness_requests_close_for_use_case
from signoff.services.assignment import reviews_release_for_user


def registry_changed(change: RegistryChange) -> None:
    """Evidence or the version moved: a request in review whose snapshot no longer holds goes back.

    review_decide checks the snapshot again, so a missed announcement cannot let a stale approval through.
    """
    if change.kind not in (ChangeKind.EVIDENCE_CHANGED, ChangeKind.VERSION_ADDED):
        return
    request = ReadinessRequest.objects.filter(use_case_id=change.use_case_id, state__in=IN_REVIEW_STATES).first()
    if request is not None:
        actor = User.objects.filter(pk=change.actor_id).first() if change.actor_id else None
        readiness_request_check_snapshot(request=request, actor=actor)


def stage_leaving(use_case: UseCase, actor: User, reason: str) -> None:
    """Requests asked from the stage the use case leaves are superseded."""
    readiness_requests_close_for_use_case(use_case=use_case, actor=actor, reason=reason)


def user_deactivating(user: User, actor: User | None, reason: str) -> None:
    """The reviews a deactivated person held go back to their function's queue; the leads are told."""
    reviews_release_for_user(user=user, actor=actor, reason=reason)
