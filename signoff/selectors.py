"""Reads for the sign-off pages and API: evidence snapshots, their differences, lists and queues."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import ReviewFunction, User
from audit.canonical import canonical_json
from lifecycle.models import Artifact, ModelVersion, ReadinessAnswer, UseCase
from lifecycle.selectors import assessment_current
from signoff import condition_access
from signoff.access import requests_visible_to, reviews_visible_to
from signoff.models import (
    IN_REVIEW_STATES,
    OPEN_CONDITION_STATES,
    OPEN_REVIEW_STATES,
    ReadinessRequest,
    Review,
    ReviewCondition,
)

# The registry fields whose change alters what reviewers approved.
SNAPSHOT_REGISTRY_FIELDS = (
    "title",
    "purpose",
    "approved_scope",
    "business_kpi",
    "technical_owner_id",
    "business_owner_id",
    "team",
    "sunset_criteria",
    "processes_personal_data",
    "customer_facing",
    "regulated_decision",
    "risk_tier",
)


def evidence_snapshot_current(*, use_case: UseCase, version: ModelVersion | None) -> dict:
    """What a reviewer approves: the registry entry, the version asked for, current artifacts, classification,
    readiness."""
    artifacts = Artifact.objects.filter(use_case=use_case, is_current=True).order_by("kind", "id")
    assessment = assessment_current(use_case)
    answers = ReadinessAnswer.objects.filter(use_case=use_case).order_by("question")
    snapshot = {
        "registry": {name: getattr(use_case, name) for name in SNAPSHOT_REGISTRY_FIELDS},
        "version": None
        if version is None
        else {
            "id": version.pk,
            "label": version.label,
            "provider": version.provider,
            "model_identifier": version.model_identifier,
            "config_hash": version.config_hash,
            "image_hash": version.image_hash,
            "weights_hash": version.weights_hash,
            "metrics": [
                {"name": m.name, "value": m.value, "threshold": m.threshold, "direction": m.direction}
                for m in version.metrics.order_by("name")
            ],
        },
        "artifacts": [
            {"id": a.pk, "kind": a.kind, "sha256": a.sha256, "name": a.original_name, "size": a.size} for a in artifacts
        ],
        "assessment": None
        if assessment is None
        else {"id": assessment.pk, "tier": assessment.tier, "is_final": assessment.is_final},
        "readiness": {a.question: a.answer for a in answers},
    }
    # Round-trip through canonical JSON so comparison with a stored snapshot is exact.
    return json.loads(canonical_json(snapshot))


def snapshot_hash(*, policy: dict, evidence: dict) -> str:
    return hashlib.sha256(canonical_json({"policy": policy, "evidence": evidence}).encode()).hexdigest()


def evidence_equal(a: dict, b: dict) -> bool:
    return canonical_json(a) == canonical_json(b)


@dataclass(frozen=True)
class Change:
    area: str
    detail: str


def snapshot_diff(*, old: dict, new: dict) -> list[Change]:
    """What changed between two evidence snapshots, in words a reviewer reads."""
    if not old:
        return []
    changes: list[Change] = []
    old_reg, new_reg = old.get("registry", {}), new.get("registry", {})
    for name in SNAPSHOT_REGISTRY_FIELDS:
        if old_reg.get(name) != new_reg.get(name):
            changes.append(Change("registry", f"{name.removesuffix('_id').replace('_', ' ').capitalize()} changed."))
    old_v, new_v = old.get("version") or {}, new.get("version") or {}
    if old_v.get("id") != new_v.get("id"):
        changes.append(Change("version", f"Version {old_v.get('label', 'none')} → {new_v.get('label', 'none')}."))
    elif old_v.get("metrics") != new_v.get("metrics"):
        changes.append(Change("version", "Evaluation metrics changed."))
    old_a = {a["kind"]: a for a in old.get("artifacts", [])}
    new_a = {a["kind"]: a for a in new.get("artifacts", [])}
    for kind in sorted(set(old_a) | set(new_a)):
        if kind not in old_a:
            changes.append(Change("evidence", f"Added {kind.replace('_', ' ')}: {new_a[kind]['name']}."))
            continue
        if kind not in new_a:
            changes.append(Change("evidence", f"Removed {kind.replace('_', ' ')}."))
            continue
        before, after = old_a[kind], new_a[kind]
        if before["sha256"] != after["sha256"]:
            changes.append(
                Change(
                    "evidence",
                    f"New {kind.replace('_', ' ')}: {after['name']} "
                    f"(SHA-256 {before['sha256'][:12]}… → {after['sha256'][:12]}…).",
                )
            )
    old_c, new_c = old.get("assessment") or {}, new.get("assessment") or {}
    if old_c.get("id") != new_c.get("id"):
        changes.append(
            Change("classification", f"New risk classification: {old_c.get('tier', 'none')} → {new_c.get('tier')}.")
        )
    old_r, new_r = old.get("readiness", {}), new.get("readiness", {})
    for question in sorted(set(old_r) | set(new_r)):
        if old_r.get(question) != new_r.get(question):
            changes.append(Change("readiness", f"Readiness answer '{question.replace('_', ' ')}' changed."))
    return changes


# Lists -------------------------------------------------------------------------


def requests_for_list(*, user: User) -> QuerySet[ReadinessRequest]:
    """The requests `user` may see, with what a row shows; signoff/filters.py filters and sorts them."""
    return requests_visible_to(user).select_related("use_case", "submitted_by", "version")


def reviews_for_list(*, user: User) -> QuerySet[Review]:
    """The reviews `user` may see, with what the API shows of each; signoff/filters.py filters and sorts them."""
    return (
        reviews_visible_to(user)
        .select_related("function", "assignee", "decided_by")
        .prefetch_related("conditions__owner")
    )


def review_queue(*, user: User, today: date | None = None) -> QuerySet[Review]:
    """Open reviews of requests in review, due date first; `overdue` (0 or 1) marks the rows to highlight."""
    today = today or timezone.localdate()
    return (
        reviews_visible_to(user)
        .filter(state__in=OPEN_REVIEW_STATES, request__state__in=IN_REVIEW_STATES)
        .select_related("request__use_case", "function", "assignee")
        .annotate(overdue=Case(When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("due_date", "id")
    )


def reviews_of_request(*, request: ReadinessRequest) -> QuerySet[Review]:
    return (
        Review.objects.filter(request=request)
        .select_related("function", "assignee", "decided_by")
        .prefetch_related("conditions__owner")
        .order_by("-revision", "function__key")
    )


def function_members(*, function: ReviewFunction) -> QuerySet[User]:
    return User.objects.filter(memberships__function=function, is_active=True).order_by("username")


def function_people_to_notify(*, function_keys: list[str]) -> QuerySet[User]:
    return User.objects.filter(memberships__function__key__in=function_keys, is_active=True).distinct()


def function_leads(*, function: ReviewFunction) -> QuerySet[User]:
    return User.objects.filter(memberships__function=function, memberships__is_lead=True, is_active=True)


# Conditions of approval --------------------------------------------------------


def conditions_open_on(*, use_case: UseCase) -> QuerySet[ReviewCondition]:
    """Conditions of any approval of the use case not yet closed: they carry into every later request."""
    return (
        ReviewCondition.objects.filter(use_case=use_case, status__in=OPEN_CONDITION_STATES)
        .select_related("owner", "review__function", "review__request")
        .order_by("due_date", "id")
    )


def conditions_of_owner(*, user: User) -> QuerySet[ReviewCondition]:
    """The open conditions `user` must meet (or has marked met and awaits), for their home page."""
    return (
        ReviewCondition.objects.filter(owner=user, status__in=OPEN_CONDITION_STATES)
        .select_related("use_case", "review__function")
        .order_by("due_date", "id")
    )


def conditions_for_list(*, user: User) -> QuerySet[ReviewCondition]:
    return (
        condition_access.conditions_visible_to(user)
        .select_related("use_case", "owner", "review__function", "review__request")
        .order_by("due_date", "id")
    )
