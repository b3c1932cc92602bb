"""What the sign-off pages share."""

from __future__ import annotations

from django.urls import reverse

from core.params import int_param
from lifecycle.models import Stage

PAGE_SIZE = 25
BAD_REQUEST = 400


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Requests", reverse("signoff:request-list")), *items]


def _stage_param(value: str | None) -> int | None:
    stage = int_param(value, high=max(Stage.values))
    return stage if stage in Stage.values else None
