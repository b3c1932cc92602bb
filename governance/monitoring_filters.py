"""The observations list, filtered the same way on its page as anywhere else it is shown."""

from __future__ import annotations

import django_filters

from core.filters import FilterSet


class ObservationFilterSet(FilterSet):
    metric = django_filters.CharFilter(label="Metric", max_length=100)
    version = django_filters.CharFilter(field_name="version__label", label="Version", max_length=50)
    breach = django_filters.BooleanFilter(label="Breaches only")
