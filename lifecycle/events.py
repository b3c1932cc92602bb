"""What the registry tells webhook receivers (webhooks/, below it): a use case changed stage.

Emitted inside the registry's own transaction, so the event is stored with the change and goes
nowhere if the change rolls back. A subscription to the after-commit STAGE_CHANGED announcement
(lifecycle/hooks.py) could not promise that: a process dying between the commit and the
subscriber's transaction would lose the event.
"""

from __future__ import annotations

from lifecycle.models import StageChange, UseCase
from webhooks.models import EventType
from webhooks.payloads import absolute_url, timestamp
from webhooks.services import webhook_emit, webhook_wanted


def use_case_ref(use_case: UseCase) -> dict:
    """How every payload names a use case: its slug, its stage now and its page."""
    return {"slug": use_case.slug, "stage": use_case.stage, "url": absolute_url(use_case.get_absolute_url())}


def stage_changed_emit(*, use_case: UseCase, change: StageChange) -> None:
    if not webhook_wanted(type=EventType.USE_CASE_STAGE_CHANGED):
        return
    webhook_emit(
        type=EventType.USE_CASE_STAGE_CHANGED,
        payload={
            "use_case": use_case_ref(use_case),
            "stage_change": {
                "id": change.pk,
                "kind": change.kind,
                "from_stage": change.from_stage,
                "to_stage": change.to_stage,
                "changed_at": timestamp(change.created_at),
            },
        },
    )
