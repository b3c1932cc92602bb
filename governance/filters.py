"""Running governance's lists, filtered and sorted alike on their pages and over the API (core/filters.py)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet, TextChoices
from django.utils import timezone

from core.filters import FilterSet, SearchFilter, SortFilter
from governance.models import Finding, Severity


class FindingScope(TextChoices):
    UNCLOSED = "unclosed", "Not yet closed"
    MINE = "mine", "Mine to remediate"


class FindingFilterSet(FilterSet):
    q = SearchFilter(
        fields=("title", "use_case__title", "use_case__slug"),
        label="Search",
        help_text="Search the finding's title, or its use case's title or slug.",
        widget=forms.SearchInput(attrs={"placeholder": "Title or use case"}),
    )
    use_case = django_filters.CharFilter(
        field_name="use_case__slug", max_length=100, label="Use case", help_text="The use case's slug."
    )
    state = django_filters.ChoiceFilter(choices=Finding.State.choices, label="State", empty_label="Any state")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label="Severity", empty_label="Any severity")
    source = django_filters.ChoiceFilter(choices=Finding.Source.choices, label="Source", empty_label="Any source")
    scope = django_filters.ChoiceFilter(
        choices=FindingScope.choices,
        method="filter_scope",
        label="Show",
        empty_label="All findings",
        help_text="unclosed (open or awaiting validation), or mine (open findings I own); all when absent.",
    )
    sort = SortFilter(
        orders={"due": ("due_date", "id"), "-raised": ("-raised_at", "-id")},
        default="due",
        labels={"due": "Due soonest first", "-raised": "Newest first"},
    )

    def filter_scope(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == FindingScope.MINE:
            return queryset.filter(owner=self.request.user, state=Finding.State.OPEN)
        return queryset.exclude(state=Finding.State.CLOSED)


class ExceptionFilterSet(FilterSet):
    use_case = django_filters.CharFilter(
        field_name="use_case__slug", max_length=100, label="Use case", help_text="The use case's slug."
    )
    standing = django_filters.BooleanFilter(
        method="filter_standing", label="Standing", help_text="true: waiving today; false: withdrawn or expired."
    )
    sort = SortFilter(
        orders={"expires": ("expires_on", "id"), "-granted": ("-granted_at", "-id")},
        default="expires",
        labels={"expires": "Expiring soonest first", "-granted": "Newest first"},
    )

    def filter_standing(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        standing = Q(withdrawn_at__isnull=True, expires_on__gte=timezone.localdate())
        return queryset.filter(standing) if value else queryset.exclude(standing)
