"""What the registry pages share: page size and breadcrumbs."""

from __future__ import annotations

from django.urls import reverse

from lifecycle.models import UseCase

PAGE_SIZE = 25
BAD_REQUEST = 400
CONFLICT = 409


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Use cases", reverse("lifecycle:use-case-list")), *items]


def _use_case_crumbs(use_case: UseCase, page: str) -> list[tuple[str, str]]:
    return _crumbs((use_case.title, use_case.get_absolute_url()), (page, ""))
