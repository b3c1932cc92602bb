"""What running governance's pages share."""

from __future__ import annotations

from django.urls import reverse

from lifecycle.models import UseCase

BAD_REQUEST = 400


def use_case_crumbs(use_case: UseCase, page: str) -> list[tuple[str, str]]:
    return [
        ("Use cases", reverse("lifecycle:use-case-list")),
        (use_case.title, use_case.get_absolute_url()),
        (page, ""),
    ]
