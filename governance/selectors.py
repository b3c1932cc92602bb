"""Reads of running governance used by pages and the API alike."""

from __future__ import annotations

from django.db.models import F, QuerySet

from accounts.models import User
from governance.models import Incident, Observation
from lifecycle.access import use_cases_visible_to
from lifecycle.models import ModelVersion, UseCase


def observations_of(version: ModelVersion) -> QuerySet[Observation]:
    return Observation.objects.filter(version=version).order_by("metric", "window_end", "id")


def observations_of_use_case(use_case: UseCase) -> QuerySet[Observation]:
    """Every version's observations, newest first, with the version for its label."""
    return (
        Observation.objects.filter(version__use_case=use_case)
        .select_related("version", "recorded_by")
        .order_by("-window_end", "-id")
    )


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Incidents of the use cases this person may see, soonest report due first, then the newest."""
    return (
        Incident.objects.filter(use_case__in=use_cases_visible_to(user))
        .select_related("use_case", "version", "recorded_by", "reported_by", "closed_by", "suspension", "demotion")
        .order_by(F("report_due_on").asc(nulls_last=True), "-aware_at", "-id")
    )


def art73_clocks(user: User) -> QuerySet[Incident]:
    """Serious incidents whose report to the authority is still due: the lead's home shows them."""
    return incidents_visible_to(user).filter(report_due_on__isnull=False, reported_at__isnull=True)
