"""`gate check --wait`: ask again while a request in review may still change the answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from stagegate.api import RateLimited
from stagegate.output import gate_verdict
from stagegate.values import format_duration

MIN_REQUEST_TIMEOUT = 1.0


def gate_wait(
    ask: Callable[[float], dict[str, Any]],
    *,
    timeout: float,
    interval: float,
    request_timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    notify: Callable[[str], None] = lambda message: None,
) -> tuple[dict[str, Any], bool]:
    """The first answer that is allowed, or denied with nothing pending; or the last one and True at the timeout.

    `ask(seconds)` asks the gate once, giving up on the network after `seconds`;
    no call outlasts the deadline by more than `MIN_REQUEST_TIMEOUT`. A 429 is
    waited out when its Retry-After ends before the deadline.
    """
    deadline = clock() + timeout
    while True:
        remaining = deadline - clock()
        try:
            answer = ask(max(MIN_REQUEST_TIMEOUT, min(request_timeout, remaining)))
        except RateLimited as exc:
            pause = exc.retry_after or interval
            if clock() + pause > deadline:
                raise
            notify(f"{exc} Waiting {format_duration(pause)}.")
            sleep(pause)
            continue
        if gate_verdict(answer) != "pending":
            return answer, False
        remaining = deadline - clock()
        if remaining <= 0:
            return answer, True
        pause = min(interval, remaining)
        notify(
            f"Pending at stage {answer.get('stage')}: a request is in review; asking again in "
            f"{format_duration(pause)} ({format_duration(remaining)} left)."
        )
        sleep(pause)
