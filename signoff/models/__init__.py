"""Sign-off's models, one module per job: policy, requests, reviews and conditions, records."""

from signoff.models.policy import (
    REGISTRY_FIELD_CHOICES,
    GatePolicy,
    RunningPolicy,
    SignoffRule,
    eu_tier_materiality_default,
)
from signoff.models.records import (
    Packet,
    Reminder,
)
from signoff.models.requests import (
    CLOSED_REQUEST_STATES,
    IN_REVIEW_STATES,
    OPEN_REQUEST_STATES,
    ReadinessRequest,
    RequestComment,
    RequestState,
)
from signoff.models.reviews import (
    APPROVING_DECISIONS,
    CLOSED_CONDITION_STATES,
    OPEN_CONDITION_STATES,
    OPEN_REVIEW_STATES,
    Decision,
    Review,
    ReviewCondition,
    ReviewGroupObjectPermission,
    ReviewState,
    ReviewUserObjectPermission,
    condition_evidence_upload_to,
)

__all__ = [
    "APPROVING_DECISIONS",
    "CLOSED_CONDITION_STATES",
    "CLOSED_REQUEST_STATES",
    "IN_REVIEW_STATES",
    "OPEN_CONDITION_STATES",
    "OPEN_REQUEST_STATES",
    "OPEN_REVIEW_STATES",
    "REGISTRY_FIELD_CHOICES",
    "Decision",
    "GatePolicy",
    "Packet",
    "ReadinessRequest",
    "Reminder",
    "RequestComment",
    "RequestState",
    "Review",
    "ReviewCondition",
    "ReviewGroupObjectPermission",
    "ReviewState",
    "ReviewUserObjectPermission",
    "RunningPolicy",
    "SignoffRule",
    "condition_evidence_upload_to",
    "eu_tier_materiality_default",
]
