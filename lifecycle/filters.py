"""The registry's list, filtered and sorted the same way on its page and over the API."""

from __future__ import annotations

import django_filters
from django import forms

from core.filters import FilterSet, SearchFilter, SortFilter
from lifecycle.models import Stage, Tier


class UseCaseFilterSet(FilterSet):
    q = SearchFilter(
        fields=("title", "slug", "purpose", "team"),
        label="Search",
        help_text="Search title, slug, purpose and team.",
        widget=forms.SearchInput(attrs={"placeholder": "Title, slug, purpose or team"}),
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Stage", empty_label="Any stage")
    tier = django_filters.ChoiceFilter(
        field_name="risk_tier", choices=Tier.choices, label="EU AI Act tier", empty_label="Any tier"
    )
    sort = SortFilter(
        orders={
            "title": ("title", "slug"),
            "-title": ("-title", "-slug"),
            "stage": ("stage", "title"),
            "-stage": ("-stage", "title"),
            "tier": ("risk_tier", "title"),
            "-tier": ("-risk_tier", "title"),
            "updated": ("updated_at", "id"),
            "-updated": ("-updated_at", "-id"),
        },
        default="title",
    )
