"""Reads of running governance used by pages and the API alike."""

from __future__ import annotations

from django.db.models import QuerySet

from governance.models import Observation
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
