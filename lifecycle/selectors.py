"""Reads of the registry, for pages and the API. Access is decided in lifecycle/access.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import Role
from lifecycle.access import use_case_may_change, use_case_may_demote, use_cases_visible_to
from lifecycle.models import (
    Artifact,
    ModelVersion,
    ReadinessAnswer,
    ReadinessQuestion,
    RiskAssessment,
    Stage,
    StageChange,
    UseCase,
)


class Action(StrEnum):
    """What a user may do on a use case's page; views compute these, templates only show them."""

    EDIT = "edit"
    DEMOTE = "demote"
    RETIRE = "retire"
    ADD_VERSION = "add_version"
    UPLOAD = "upload"
    CLASSIFY = "classify"
    READINESS = "readiness"


def use_cases_for_list(user: User) -> QuerySet[UseCase]:
    """The registry as `user` may see it, with what a row shows; lifecycle/filters.py filters and sorts it."""
    return use_cases_visible_to(user).select_related("technical_owner", "business_owner")


def use_case_actions(user: User, use_case: UseCase) -> set[Action]:
    if not use_case_may_change(user, use_case):
        # A lead of the second line may demote what she does not own.
        may_demote = use_case_may_demote(user, use_case) and Stage.PROPOSED < use_case.stage != Stage.RETIRED
        return {Action.DEMOTE} if may_demote else set()
    if use_case.stage == Stage.RETIRED:
        return {Action.EDIT}
    actions = {Action.EDIT, Action.RETIRE, Action.ADD_VERSION, Action.UPLOAD, Action.CLASSIFY, Action.READINESS}
    if use_case.stage > Stage.PROPOSED:
        actions.add(Action.DEMOTE)
    return actions


def assessment_current(use_case: UseCase) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(use_case=use_case, state=RiskAssessment.State.IN_FORCE)
        .select_related("assessed_by")
        .order_by("-created_at", "-id")
        .first()
    )


def version_latest(use_case: UseCase) -> ModelVersion | None:
    """The newest version recorded: what a new readiness request is asked for."""
    return ModelVersion.objects.filter(use_case=use_case).order_by("-created_at", "-id").first()


def versions_of(use_case: UseCase) -> QuerySet[ModelVersion]:
    return (
        ModelVersion.objects.filter(use_case=use_case)
        .select_related("created_by")
        .prefetch_related("metrics")
        .order_by("-created_at", "-id")
    )


def artifacts_of(use_case: UseCase, *, current: bool | None = None) -> QuerySet[Artifact]:
    qs = Artifact.objects.filter(use_case=use_case).select_related("use_case", "uploaded_by", "version")
    if current is not None:
        qs = qs.filter(is_current=current)
    return qs.order_by("kind", "-uploaded_at", "-id")


@dataclass(frozen=True)
class ReadinessRow:
    question: ReadinessQuestion
    answer: ReadinessAnswer | None


def readiness_of(use_case: UseCase) -> list[ReadinessRow]:
    answers = {
        a.question: a
        for a in ReadinessAnswer.objects.filter(use_case=use_case).select_related("artifact", "answered_by")
    }
    return [ReadinessRow(question, answers.get(question.value)) for question in ReadinessQuestion]


def stage_history_of(use_case: UseCase) -> QuerySet[StageChange]:
    return StageChange.objects.filter(use_case=use_case).select_related("actor").order_by("-created_at", "-id")


def owner_candidates() -> QuerySet[User]:
    """People who may own a use case: active, holding a role, not auditors."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__isnull=False) | Q(is_superuser=True))
        .exclude(groups__name=Role.AUDITOR)
        .distinct()
        .order_by("username")
    )


def assessments_of(use_case: UseCase) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(use_case=use_case).select_related("assessed_by").order_by("-created_at", "-id")


def classification_change_pending(use_case: UseCase) -> RiskAssessment | None:
    """A newer assessment that lowers the tier and waits for the risk function, if there is one."""
    return (
        RiskAssessment.objects.filter(use_case=use_case, state=RiskAssessment.State.PENDING)
        .select_related("assessed_by")
        .order_by("-created_at", "-id")
        .first()
    )


RESEMBLANCE_THRESHOLD = 0.45
RESEMBLING_SHOWN = 3


def use_cases_resembling(user: User, *, title: str, exclude_pk: int | None = None) -> list[UseCase]:
    """The registered use cases whose title is close to `title`, closest first: a likely duplicate.

    On PostgreSQL the trigram operator uses the title's trigram index (migration 0009), so the
    question costs one index scan however large the registry grows; elsewhere the titles sharing
    a word are compared in Python, which is enough for a demo's database.
    """
    title = " ".join(title.split())
    if len(title) < 3:
        return []
    visible = use_cases_visible_to(user).select_related("technical_owner")
    if exclude_pk is not None:
        visible = visible.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql":
        return list(
            visible.filter(title__trigram_similar=title)
            .annotate(resemblance=TrigramSimilarity("title", title))
            .filter(resemblance__gte=RESEMBLANCE_THRESHOLD)
            .order_by("-resemblance", "title")[:RESEMBLING_SHOWN]
        )
    words = [w for w in re.findall(r"\w+", title.lower()) if len(w) >= 4] or [title.lower()]
    sharing = Q()
    for word in words[:8]:
        sharing |= Q(title__icontains=word)
    scored = []
    for candidate in visible.filter(sharing)[:500]:
        score = SequenceMatcher(None, title.lower(), candidate.title.lower()).ratio()
        if score >= RESEMBLANCE_THRESHOLD:
            scored.append((-score, candidate.title, candidate))
    return [candidate for *_, candidate in sorted(scored, key=lambda row: row[:2])[:RESEMBLING_SHOWN]]
