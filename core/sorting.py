"""Sortable table headers: the list's SortFilter (core/filters.py) decides the order, the template only draws links."""

from __future__ import annotations

from dataclasses import dataclass

from core.filters import FilterSet, SortFilter


@dataclass(frozen=True)
class SortColumn:
    label: str
    key: str
    next_sort: str  # the sort a click on the header asks for
    aria_sort: str  # ascending / descending / none, for screen readers


def sort_columns(filterset: FilterSet, columns: list[tuple[str, str]], *, param: str = "sort") -> list[SortColumn]:
    """Headers for (label, key) columns; clicking the sorted column reverses it.

    A key written "-updated" asks for the descending order on the first click
    (newest first), the way people expect a date column to sort.
    """
    sort_filter = filterset.filters[param]
    assert isinstance(sort_filter, SortFilter)
    current = sort_filter.current()
    out = []
    for label, first in columns:
        key = first.removeprefix("-")
        if current == key:
            out.append(SortColumn(label, key, f"-{key}", "ascending"))
        elif current == f"-{key}":
            out.append(SortColumn(label, key, key, "descending"))
        else:
            out.append(SortColumn(label, key, first, "none"))
    return out
