"""The one way to hand work to the broker.

Tasks take ids, re-fetch, and call one service. They are enqueued after the
transaction commits (`transaction.on_commit(lambda: enqueue(...))`).
"""

import logging
import threading

logger = logging.getLogger(__name__)

# True while the broker is known to be unreachable: the first failure of an
# outage is logged, the rest are not (a busy portal would otherwise log one
# traceback per click), and the first success afterwards says it is back.
_broker_down = False
_broker_state_lock = threading.Lock()


def enqueue(task, *args, countdown: float | None = None) -> bool:
    """Send a task to the broker; never let a broker outage fail the user's action.

    With `countdown` the task runs that many seconds from now (a retry's
    backoff). Returns whether the task was handed over. Whatever it would have
    done is picked up by the next sweep (`send_due_reminders`, the webhooks'
    catch-up), which finds the rows still waiting.
    """
    global _broker_down
    try:
        if countdown:
            task.apply_async(args, countdown=countdown)
        else:
            task.delay(*args)
    except Exception:
        if task.app.conf.task_always_eager:
            # No broker in eager mode: the task itself failed, after the user's
            # transaction committed. Their action stands; the sweep retries.
            logger.exception("Task %s failed; the next sweep catches up.", task.name)
            return False
        with _broker_state_lock:
            first_failure = not _broker_down
            _broker_down = True
        if first_failure:
            logger.warning(
                "Could not enqueue %s: the broker is unreachable. User actions go on; the next sweep catches up. "
                "Further failures are not logged until the broker is back.",
                task.name,
                exc_info=True,
            )
        return False
    with _broker_state_lock:
        recovered = _broker_down
        _broker_down = False
    if recovered:
        logger.info("The broker is reachable again (%s enqueued).", task.name)
    return True
