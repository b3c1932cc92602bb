"""The kinds of item the reminder sweep reminds of, in one registry that running governance adds to.

Each kind says how to find its open items due by a day, load them by id,
read an item's due date, word the message and, for escalation, which review
function's leads answer for it. Sign-off registers its own three (reviews,
conditions, the periodic revalidation); other apps register theirs from their
AppConfig.ready(), with `reminder_item_register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from notifications.services import Message
from signoff.models import Reminder
from signoff.reminders.messages import _People


@dataclass(frozen=True)
class ReminderItemKind:
    name: str
    candidates: Callable[[date], Iterable[tuple[int, date | None]]]  # (id, due date) of open items due by the day
    load: Callable[[list[int]], dict[int, Any]]  # the open ones of these ids
    due: Callable[[Any], date | None]
    message: Callable[[Reminder, Any, _People, date], Message]
    function_id: Callable[[Any], int | None]


REMINDER_ITEMS: dict[str, ReminderItemKind] = {}


def reminder_item_register(kind: ReminderItemKind) -> ReminderItemKind:
    if kind.name not in Reminder.Item.values:
        raise ValueError(f"{kind.name!r} is not a kind of reminder item (Reminder.Item).")
    REMINDER_ITEMS[kind.name] = kind
    return kind
