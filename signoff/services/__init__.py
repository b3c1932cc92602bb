"""Writes of the sign-off app: readiness requests and their reviews.

Each service runs in one transaction, locks what it changes (in the lock order
of services/base.py), asks signoff.access whether the actor may act,
transitions, audits in the same transaction, and leaves side effects (e-mail,
the packet) to run after commit. Refusals are raised, never audited here: the
one road in audit/refusals.py does that.
"""

from signoff.services.approval import readiness_request_check_snapshot
from signoff.services.conditions import condition_accept, condition_mark_met, condition_return, condition_waive
from signoff.services.policy import PolicyInput, gate_policy_update
from signoff.services.requests import (
    readiness_request_accept_as_owner,
    readiness_request_comment,
    readiness_request_create,
    readiness_request_resubmit,
    readiness_request_submit,
    readiness_request_withdraw,
    readiness_requests_close_for_use_case,
)
from signoff.services.reviews import (
    ConditionInput,
    review_assign,
    review_claim,
    review_decide,
    review_hand_over,
    review_mark_viewed,
)

__all__ = [
    "ConditionInput",
    "PolicyInput",
    "condition_accept",
    "condition_mark_met",
    "condition_return",
    "condition_waive",
    "gate_policy_update",
    "readiness_request_accept_as_owner",
    "readiness_request_check_snapshot",
    "readiness_request_comment",
    "readiness_request_create",
    "readiness_request_resubmit",
    "readiness_request_submit",
    "readiness_request_withdraw",
    "readiness_requests_close_for_use_case",
    "review_assign",
    "review_claim",
    "review_decide",
    "review_hand_over",
    "review_mark_viewed",
]
