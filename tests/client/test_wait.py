"""`--wait`'s loop and the gate's answer in words, on answers shaped as docs/pipeline-api.md gives them.

The loop takes its clock and its sleep as arguments, so these tests run it on
a clock they move themselves, with answers a portal serving the contract sends.
"""

import pytest

from stagegate.api import RateLimited
from stagegate.output import gate_text, gate_verdict, refusal_lines
from stagegate.wait import gate_wait

ALLOWED = {
    "allowed": True,
    "stage": 3,
    "requirements": [{"key": "approval.standing", "met": True, "detail": "Approved for stage 3."}],
    "version": {"label": "1.4.0", "config_digest": "sha256:" + "0" * 64, "role": "current"},
    "approval": {
        "request": 12,
        "target_stage": 3,
        "approved_at": "2026-11-02T10:00:00Z",
        "packet_id": "SG-2026-000012",
    },
    "pending": False,
}
PENDING = {
    "allowed": False,
    "stage": 3,
    "requirements": [{"key": "approval.standing", "met": False, "detail": "No standing approval for stage 3."}],
    "version": {"label": "1.5.0", "role": "candidate"},
    "approval": None,
    "pending": True,
}
DENIED = {**PENDING, "pending": False}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def asking(clock: Clock, answers: list, took: float = 0.0):
    """A gate that gives `answers` in turn (the last one from then on), each after `took` seconds."""
    asked: list[float] = []

    def ask(request_timeout: float) -> dict:
        asked.append(request_timeout)
        clock.now += took
        answer = answers[min(len(asked) - 1, len(answers) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return ask, asked


def test_asks_again_while_pending_and_returns_the_decision():
    clock = Clock()
    ask, asked = asking(clock, [PENDING, PENDING, ALLOWED])
    notes: list[str] = []
    answer, timed_out = gate_wait(
        ask, timeout=60, interval=15, request_timeout=30, clock=clock, sleep=clock.sleep, notify=notes.append
    )
    assert (answer, timed_out) == (ALLOWED, False)
    assert clock.slept == [15, 15]
    assert len(asked) == 3
    assert notes[0] == "Pending at stage 3: a request is in review; asking again in 15s (1m left)."


@pytest.mark.parametrize("first", [ALLOWED, DENIED])
def test_a_decided_answer_ends_the_wait_at_once(first):
    clock = Clock()
    ask, asked = asking(clock, [first])
    assert gate_wait(ask, timeout=60, interval=15, request_timeout=30, clock=clock, sleep=clock.sleep) == (first, False)
    assert (clock.slept, len(asked)) == ([], 1)


def test_times_out_after_a_last_question_at_the_deadline():
    clock = Clock()
    ask, asked = asking(clock, [PENDING], took=1)
    answer, timed_out = gate_wait(ask, timeout=40, interval=15, request_timeout=30, clock=clock, sleep=clock.sleep)
    assert (answer, timed_out) == (PENDING, True)
    # Asked at 0, 16, 32 and, after a shortened pause, once more at the deadline.
    assert clock.slept == [15, 15, 7]
    assert len(asked) == 4
    assert clock.now - 1000 == 41


def test_no_single_question_outlasts_the_deadline_by_more_than_a_second():
    clock = Clock()
    ask, asked = asking(clock, [PENDING], took=0)
    gate_wait(ask, timeout=20, interval=15, request_timeout=30, clock=clock, sleep=clock.sleep)
    assert asked == [20, 5, 1.0]


def test_a_rate_limit_is_waited_out_when_it_ends_before_the_deadline():
    clock = Clock()
    ask, _ = asking(clock, [RateLimited("slow down", retry_after=20), ALLOWED])
    notes: list[str] = []
    answer, _ = gate_wait(
        ask, timeout=60, interval=5, request_timeout=30, clock=clock, sleep=clock.sleep, notify=notes.append
    )
    assert answer == ALLOWED
    assert clock.slept == [20]
    assert notes == ["slow down Waiting 20s."]


def test_a_rate_limit_past_the_deadline_ends_the_wait():
    clock = Clock()
    ask, _ = asking(clock, [RateLimited("slow down", retry_after=120)])
    with pytest.raises(RateLimited):
        gate_wait(ask, timeout=60, interval=5, request_timeout=30, clock=clock, sleep=clock.sleep)


def test_the_answer_in_words_names_the_version_and_the_approval():
    assert gate_verdict(ALLOWED) == "allowed"
    assert gate_text("credit-scoring", ALLOWED) == (
        "Allowed: credit-scoring version 1.4.0 may run at stage 3 (approved by request #12, for stage 3, "
        "on 2026-11-02T10:00:00Z, sign-off packet SG-2026-000012)."
    )


def test_pending_and_denied_in_words_list_what_is_unmet():
    assert gate_verdict(PENDING) == "pending"
    assert gate_verdict(DENIED) == "denied"
    assert gate_text("credit-scoring", PENDING) == (
        "Pending: credit-scoring version 1.5.0 may not run at stage 3 yet. A readiness request for it is in review, "
        "so the answer may change (--wait keeps asking).\n"
        "Unmet requirements:\n"
        "  - No standing approval for stage 3. [approval.standing]"
    )
    assert gate_text("credit-scoring", DENIED).startswith(
        "Denied: credit-scoring version 1.5.0 may not run at stage 3."
    )


def test_an_answer_without_pending_is_never_pending():
    assert gate_verdict({"allowed": False, "stage": 2, "requirements": []}) == "denied"


def test_refusals_are_listed_one_message_a_line():
    body = {"non_field_errors": ["Missing: Rollback test record."], "metrics": [{}, {"value": ["Not a number."]}]}
    assert refusal_lines(body) == ["Missing: Rollback test record.", "metrics: value: Not a number."]
    assert refusal_lines({"detail": "Version 1.0 exists with another config_digest."}) == [
        "Version 1.0 exists with another config_digest."
    ]
