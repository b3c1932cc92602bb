"""Selectors for the home page: what each role needs to see first.

Every function here reads; none writes. Lists are bounded so the home page
costs the same number of queries whatever the size of the portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import FunctionMembership, ReviewFunction, User
from accounts.roles import REVIEWER_ROLES, Role
from lifecycle.models import ArtifactKind, Stage, UseCase
from signoff.access import request_create_refusal
from signoff.calendar import is_business_day
from signoff.gates import Requirement, gate_data_for, gate_evaluate
from signoff.models import (
    OPEN_REQUEST_STATES,
    OPEN_REVIEW_STATES,
    GatePolicy,
    Packet,
    ReadinessRequest,
    RequestState,
    Review,
    ReviewState,
)

# The engineer's list runs the gate evaluator once per use case (on rows loaded
# once for all of them); this bound keeps the page short for someone who owns a hundred.
ENGINEER_USE_CASE_LIMIT = 10
UNMET_DETAILS_SHOWN = 3
LIST_LIMIT = 10


@dataclass(frozen=True)
class UseCaseProgress:
    use_case: UseCase
    next_stage: int | None
    unmet: list[Requirement] = field(default_factory=list)
    ready_to_submit: bool = False
    request_id: int | None = None  # the request already open for the next stage, if any
    may_request: bool = False  # the user may ask for the next stage (and no request is open)

    @property
    def unmet_count(self) -> int:
        return len(self.unmet)

    @property
    def unmet_shown(self) -> list[Requirement]:
        return self.unmet[:UNMET_DETAILS_SHOWN]

    @property
    def unmet_hidden(self) -> int:
        return max(self.unmet_count - UNMET_DETAILS_SHOWN, 0)

    @property
    def next_stage_label(self) -> str:
        return Stage(self.next_stage).label if self.next_stage is not None else ""


@dataclass(frozen=True)
class QueueItem:
    review: Review
    overdue: bool
    conflicted: bool


@dataclass(frozen=True)
class HomeSections:
    """Which sections the home page shows; one user may hold several roles."""

    engineer: bool
    reviewer: bool
    lead: bool
    auditor: bool
    admin: bool

    @property
    def any(self) -> bool:
        return self.engineer or self.reviewer or self.lead or self.auditor or self.admin


def home_sections_for(user: User, memberships: list[FunctionMembership]) -> HomeSections:
    return HomeSections(
        engineer=user.has_role(Role.ENGINEER),
        reviewer=bool(memberships) or user.has_role(*REVIEWER_ROLES),
        lead=any(m.is_lead for m in memberships),
        auditor=user.has_role(Role.AUDITOR),
        admin=user.is_portal_admin,
    )


def memberships_of(user: User) -> list[FunctionMembership]:
    return list(FunctionMembership.objects.filter(user=user).select_related("function"))


def use_cases_owned_by(user: User) -> QuerySet[UseCase]:
    return (
        UseCase.objects.filter(Q(technical_owner=user) | Q(business_owner=user) | Q(created_by=user))
        .exclude(stage=Stage.RETIRED)
        .order_by("-updated_at", "-id")
    )


def engineer_progress(user: User, *, limit: int = ENGINEER_USE_CASE_LIMIT) -> list[UseCaseProgress]:
    """The user's newest use cases, each with what its next stage still needs (from the one gate evaluator).

    What the evaluator reads is loaded once for all of them (gate_data_for), so the page costs the same
    number of queries whether the user owns two use cases or two hundred.
    """
    use_cases = list(use_cases_owned_by(user)[:limit])
    data = gate_data_for(use_cases, target_stages={u.next_stage for u in use_cases if u.next_stage is not None})
    out = []
    for use_case in use_cases:
        target = use_case.next_stage
        if target is None:
            out.append(UseCaseProgress(use_case=use_case, next_stage=None))
            continue
        result = gate_evaluate(use_case=use_case, target_stage=target, data=data)
        out.append(
            UseCaseProgress(
                use_case=use_case,
                next_stage=target,
                unmet=result.unmet,
                ready_to_submit=result.ready_to_submit,
                request_id=result.request_id,
                may_request=result.request_id is None and request_create_refusal(user, use_case) is None,
            )
        )
    return out


def engineer_open_requests(user: User, *, limit: int = LIST_LIMIT) -> QuerySet[ReadinessRequest]:
    """Open requests the user submitted or that concern a use case they own, newest first.

    The newest of each kind are found apart, each on its own index (what the user submitted; what is asked
    for the use cases they own), then read together: an OR of the two across the join made PostgreSQL read
    every open request and every use case.
    """
    open_requests = ReadinessRequest.objects.filter(state__in=OPEN_REQUEST_STATES).order_by("-created_at", "-id")
    owned = UseCase.objects.filter(Q(technical_owner=user) | Q(business_owner=user)).values("pk")
    keys: set[tuple] = set()
    for part in (open_requests.filter(submitted_by=user), open_requests.filter(use_case__in=owned)):
        keys.update(part.values_list("created_at", "id")[:limit])
    ids = [pk for _, pk in sorted(keys, reverse=True)[:limit]]
    return (
        ReadinessRequest.objects.filter(pk__in=ids)
        .select_related("use_case")
        .annotate(
            open_reviews=Count(
                "reviews", filter=Q(reviews__state__in=OPEN_REVIEW_STATES, reviews__revision=F("revision"))
            )
        )
        .order_by("-created_at", "-id")
    )


REVIEW_ROW_RELATED = ("function", "assignee", "request__use_case")


def _soonest_due(parts: list[QuerySet[Review]], limit: int) -> list[Review]:
    """The first `limit` reviews by due date across several simple filters.

    Each part is one equality filter that the (assignee|function, state,
    due_date) indexes answer in order; a single OR of them makes PostgreSQL
    walk the due-date index past every decided review instead.
    """
    keys: list[tuple[date, int]] = []
    for part in parts:
        keys += part.order_by("due_date", "id").values_list("due_date", "id")[:limit]
    ids = [pk for _, pk in sorted(keys)[:limit]]
    if not ids:
        return []
    return list(Review.objects.filter(pk__in=ids).select_related(*REVIEW_ROW_RELATED).order_by("due_date", "id"))


def _queue_parts(user: User, memberships: list[FunctionMembership]) -> list[QuerySet[Review]]:
    function_ids = [m.function_id for m in memberships]
    parts = [Review.objects.filter(state=ReviewState.ASSIGNED, assignee=user)]
    if function_ids:
        parts.append(Review.objects.filter(state=ReviewState.UNASSIGNED, function_id__in=function_ids))
    return parts


def review_queue_head(user: User, memberships: list[FunctionMembership], *, limit: int = LIST_LIMIT) -> list[Review]:
    """Open reviews assigned to the user, plus the unassigned ones of their functions; soonest due first.

    Ordering by due date puts overdue items first, since they are due earliest.
    """
    return _soonest_due(_queue_parts(user, memberships), limit)


def review_queue_count(user: User, memberships: list[FunctionMembership]) -> int:
    return sum(part.count() for part in _queue_parts(user, memberships))


def queue_items(reviews, user: User, today: date | None = None) -> list[QueueItem]:
    today = today or timezone.localdate()
    return [
        QueueItem(review=r, overdue=r.due_date < today, conflicted=user.pk in r.conflicted_user_ids) for r in reviews
    ]


def escalation_cutoff(today: date | None = None) -> date:
    """The latest due date whose review is ESCALATE_AFTER_DAYS_OVERDUE business days overdue today."""
    day = today or timezone.localdate()
    remaining = settings.ESCALATE_AFTER_DAYS_OVERDUE
    while remaining > 0:
        if is_business_day(day):
            remaining -= 1
        day -= timedelta(days=1)
    return day


def lead_functions(memberships: list[FunctionMembership]) -> list[ReviewFunction]:
    return [m.function for m in memberships if m.is_lead]


def lead_workload(functions: list[ReviewFunction], today: date | None = None) -> QuerySet[FunctionMembership]:
    """Each member of the functions with their open and overdue assigned reviews in that function.

    Counted by a subquery per member on the (assignee, state, due date) index, so the decided
    reviews a member has accumulated are never read.
    """
    today = today or timezone.localdate()
    assigned = (
        Review.objects.filter(
            assignee_id=OuterRef("user_id"), function_id=OuterRef("function_id"), state=ReviewState.ASSIGNED
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        FunctionMembership.objects.filter(function__in=functions)
        .select_related("user", "function")
        .annotate(
            open_count=Coalesce(Subquery(assigned), 0),
            overdue_count=Coalesce(Subquery(assigned.filter(due_date__lt=today)), 0),
        )
    )


def lead_unassigned(functions: list[ReviewFunction], *, limit: int = LIST_LIMIT) -> list[Review]:
    return _soonest_due([Review.objects.filter(function__in=functions, state=ReviewState.UNASSIGNED)], limit)


def lead_escalations(
    functions: list[ReviewFunction], today: date | None = None, *, limit: int = LIST_LIMIT
) -> list[Review]:
    """Open reviews overdue by ESCALATE_AFTER_DAYS_OVERDUE business days or more."""
    cutoff = escalation_cutoff(today)
    return _soonest_due(
        [
            Review.objects.filter(function__in=functions, state=state, due_date__lte=cutoff)
            for state in OPEN_REVIEW_STATES
        ],
        limit,
    )


def recent_approvals(*, limit: int = LIST_LIMIT) -> QuerySet[ReadinessRequest]:
    return (
        ReadinessRequest.objects.filter(state=RequestState.APPROVED)
        .select_related("use_case", "submitted_by", "packet")
        .order_by("-decided_at", "-id")[:limit]
    )


def recent_packets(*, limit: int = LIST_LIMIT) -> QuerySet[Packet]:
    return Packet.objects.select_related("request__use_case").order_by("-created_at", "-id")[:limit]


@dataclass(frozen=True)
class PolicyRow:
    policy: GatePolicy
    evidence: list[str]
    signers: list[tuple[str, list[str]]]  # (function, the conditions under which it signs)


def gate_policy_rows() -> list[PolicyRow]:
    """The gate policy in words: evidence by its label, and who signs under which conditions."""
    rows = []
    for policy in GatePolicy.objects.prefetch_related("signoff_rules__function").order_by("target_stage"):
        kinds = policy.required_artifact_kinds
        signers: dict[str, list[str]] = {}
        for rule in policy.signoff_rules.all():
            signers.setdefault(rule.function.name, []).append(rule.get_when_display().lower())
        rows.append(
            PolicyRow(
                policy=policy,
                evidence=[ArtifactKind(k).label if k in ArtifactKind.values else k for k in kinds],
                signers=sorted(signers.items()),
            )
        )
    return rows


def role_holders() -> QuerySet[Group]:
    active = User.objects.filter(is_active=True).order_by("username")
    return Group.objects.prefetch_related(Prefetch("user_set", queryset=active, to_attr="holders")).order_by("name")


def function_members() -> QuerySet[ReviewFunction]:
    memberships = FunctionMembership.objects.select_related("user").order_by("-is_lead", "user__username")
    return ReviewFunction.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).order_by("key")
