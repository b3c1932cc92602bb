"""Filtering and sorting for every list: one FilterSet per list, shared by its page and its API endpoint.

Each app keeps the FilterSets of the lists it owns (`lifecycle/filters.py`,
`signoff/filters.py`, `portal/filters.py`). The page and the API build the same
FilterSet over the same queryset from the app's access functions, so a filter
only ever narrows what the user may already see.

Bad input is never a 500 and never silently something else:
- the API (DjangoFilterBackend, REST_FRAMEWORK's filter backend) answers a value
  that does not validate with a 400 naming the parameter;
- a page shows the error beside the filter, leaves that one value out and
  applies the rest (`FilterSet.qs` filters with the valid values only).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from core.params import MAX_DB_INT, int_param

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class FilterForm(forms.Form):
    """The form under every FilterSet. Control characters never reach it: core.middleware refuses them first."""


class DateRangeForm(FilterForm):
    """Filters with `since` and `until`: an empty range is a mistake to point out, not an empty list."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        if since and until and since > until:
            # On `until`, so the API's 400 names a parameter and the page shows it beside the field.
            self.add_error("until", ValidationError("The start date is after the end date.", code="range"))
        return self.cleaned_data


class DigitsField(forms.Field):
    """A whole number in ASCII digits within a range; core/params.py says why `int()` is not enough."""

    default_error_messages = {"invalid": "Enter a whole number from %(low)s to %(high)s, in ASCII digits."}

    def __init__(self, *, low: int = 1, high: int = MAX_DB_INT, **kwargs) -> None:
        self.low, self.high = low, high
        super().__init__(**kwargs)

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        number = int_param(value, low=self.low, high=self.high)
        if number is None:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"low": self.low, "high": self.high}
            )
        return number


class IdFilter(django_filters.Filter):
    """A database id (1 to the largest 64-bit integer)."""

    field_class = DigitsField


class SearchFilter(django_filters.CharFilter):
    """Free text matched, case-insensitively, against any of `fields`."""

    def __init__(self, *, fields: Iterable[str], max_length: int = 100, **kwargs) -> None:
        self.search_fields = tuple(fields)
        super().__init__(max_length=max_length, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        return qs.filter(Q(*[(f"{name}__icontains", value) for name in self.search_fields], _connector=Q.OR))


class SortFilter(django_filters.OrderingFilter):
    """`sort=<key>`: each key names a whole order, with a tie-break so that pages never shuffle.

    `orders` maps every accepted key to its `order_by()` arguments; `default` is
    used when no key (or, on a page, no valid key) is given.
    """

    def __init__(
        self,
        *,
        orders: dict[str, tuple[str, ...]],
        default: str,
        labels: dict[str, str] | None = None,
        **kwargs,
    ) -> None:
        assert default in orders, f"The default sort {default!r} is not one of the orders."
        self.orders = orders
        self.default = default
        labels = labels or {}
        kwargs.setdefault("label", "Sort")
        kwargs.setdefault("help_text", "")
        kwargs.setdefault("empty_label", None)
        super().__init__(choices=[(key, labels.get(key, key)) for key in orders], **kwargs)

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        keys = [key for key in value or () if key] or [self.default]
        orders = [self.orders[key] for key in keys]
        # Every key's first column before any tie-break: `sort=stage,-title` sorts by title within a stage.
        return qs.order_by(*[order[0] for order in orders], *chain.from_iterable(order[1:] for order in orders))

    def current(self) -> str:
        """The key the list is sorted by, for drawing its headers."""
        form = self.parent.form
        form.is_valid()  # cleans the form once; the sort may be valid when another filter is not
        keys = getattr(form, "cleaned_data", {}).get(self.field_name)
        return keys[0] if keys else self.default


class FilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet."""

    class Meta:
        form = FilterForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        # A page leaves out a sort key that did not validate; the list still gets its default order.
        for name, filter_ in self.filters.items():
            if isinstance(filter_, SortFilter) and name not in self.form.cleaned_data:
                queryset = filter_.filter(queryset, None)
        return queryset
