"""Sortable table headers: the view decides the order, the template only draws links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SortColumn:
    label: str
    key: str
    next_sort: str  # the sort a click on the header asks for
    aria_sort: str  # ascending / descending / none, for screen readers


def sort_param(value: str | None, allowed: dict[str, Any], default: str) -> str:
    """The requested sort if it is one we know, else the default: unknown input never reaches order_by."""
    return value if value in allowed else default


def sort_columns(current: str, columns: list[tuple[str, str]]) -> list[SortColumn]:
    """Headers for (label, key) columns; clicking the sorted column reverses it."""
    out = []
    for label, key in columns:
        if current == key:
            out.append(SortColumn(label, key, f"-{key}", "ascending"))
        elif current == f"-{key}":
            out.append(SortColumn(label, key, key, "descending"))
        else:
            out.append(SortColumn(label, key, key, "none"))
    return out
