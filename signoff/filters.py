"""Sign-off's lists, filtered and sorted the same way on their pages and over the API.

The queryset each FilterSet narrows comes from the access functions
(`requests_visible_to`, `reviews_visible_to`, `packets_visible_to`), through
signoff/selectors.py and signoff/packets/access.py.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices

from accounts.models import ReviewFunction
from core.filters import DATE_INPUT, DateRangeForm, FilterSet, IdFilter, SearchFilter, SortFilter
from lifecycle.models import Stage
from signoff.models import OPEN_CONDITION_STATES, RequestState, Review, ReviewCondition, ReviewState

TARGET_STAGES = [(s.value, s.label) for s in Stage.active() if s != Stage.PROPOSED]


class QueueScope(TextChoices):
    ALL = "all", "All"
    UNASSIGNED = "unassigned", "Unassigned"
    MINE = "mine", "Assigned to me"


def _function_filter(**kwargs) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=ReviewFunction.objects.all(),
        to_field_name="key",
        help_text="Function key, e.g. risk.",
        **kwargs,
    )


class ReadinessRequestFilterSet(FilterSet):
    q = SearchFilter(
        fields=("use_case__title", "use_case__slug"),
        label="Search",
        help_text="Search use case title or slug.",
        widget=forms.SearchInput(attrs={"placeholder": "Use case title or slug"}),
    )
    state = django_filters.ChoiceFilter(choices=RequestState.choices, label="State", empty_label="Any state")
    stage = django_filters.ChoiceFilter(
        field_name="target_stage", choices=TARGET_STAGES, label="Target stage", empty_label="Any stage"
    )
    function = _function_filter(method="filter_function", label="Reviewed by", empty_label="Any function")
    sort = SortFilter(
        orders={"-created": ("-created_at", "-id"), "created": ("created_at", "id")},
        default="-created",
        labels={"-created": "Newest first", "created": "Oldest first"},
    )

    def filter_function(self, queryset: QuerySet, name: str, value: ReviewFunction) -> QuerySet:
        # A subquery rather than a join: a request reviewed twice by the function is still one row.
        return queryset.filter(Exists(Review.objects.filter(request=OuterRef("pk"), function=value)))


class ReviewFilterSet(FilterSet):
    """The reviews endpoint and the review queue page (which starts from the open reviews only)."""

    function = _function_filter(label="Function", empty_label="Every function")
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, label="State", empty_label="Any state")
    request = IdFilter(label="Readiness request", help_text="Readiness request id.")
    scope = django_filters.ChoiceFilter(
        choices=QueueScope.choices,
        method="filter_scope",
        label="Show",
        empty_label=None,
        help_text="Whose reviews: all (the default), unassigned, or assigned to you.",
    )
    # Due date first: overdue reviews come first because their due date has passed.
    sort = SortFilter(
        orders={"due": ("due_date", "id"), "-due": ("-due_date", "-id")},
        default="due",
        labels={"due": "Due soonest first", "-due": "Due latest first"},
    )

    def filter_scope(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == QueueScope.MINE:
            return queryset.filter(assignee=self.request.user)
        if value == QueueScope.UNASSIGNED:
            return queryset.filter(assignee__isnull=True)
        return queryset


class PacketFilterSet(FilterSet):
    use_case = django_filters.CharFilter(
        method="filter_use_case", max_length=200, label="Use case", help_text="Slug or part of the title."
    )
    stage = django_filters.ChoiceFilter(
        field_name="request__target_stage", choices=TARGET_STAGES, label="Target stage", empty_label="Any stage"
    )
    # Filter on the approval, the date an auditor asks about; the packet follows it within moments.
    since = django_filters.DateFilter(
        field_name="request__decided_at", lookup_expr="date__gte", label="Approved on or after", widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="request__decided_at", lookup_expr="date__lte", label="Approved on or before", widget=DATE_INPUT
    )
    sort = SortFilter(
        orders={"-approved": ("-request__decided_at", "-id"), "approved": ("request__decided_at", "id")},
        default="-approved",
        labels={"-approved": "Newest approvals first", "approved": "Oldest approvals first"},
    )

    class Meta(FilterSet.Meta):
        form = DateRangeForm

    def filter_use_case(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(request__use_case__slug=value) | Q(request__use_case__title__icontains=value))


class ConditionScope(TextChoices):
    ALL = "all", "All"
    MINE = "mine", "Mine to meet"
    OPEN = "open", "Not yet closed"


class ConditionFilterSet(FilterSet):
    """The conditions endpoint: by use case, status, the function that set them, or the caller's own."""

    use_case = django_filters.CharFilter(
        field_name="use_case__slug", max_length=80, label="Use case", help_text="Use case slug."
    )
    status = django_filters.ChoiceFilter(
        choices=ReviewCondition.Status.choices, label="Status", empty_label="Any status"
    )
    function = _function_filter(field_name="review__function", label="Set by", empty_label="Any function")
    scope = django_filters.ChoiceFilter(
        choices=ConditionScope.choices,
        method="filter_scope",
        label="Show",
        empty_label=None,
        help_text="all (the default), mine (open conditions you must meet) or open (not yet closed).",
    )
    sort = SortFilter(
        orders={"due": ("due_date", "id"), "-due": ("-due_date", "-id")},
        default="due",
        labels={"due": "Due soonest first", "-due": "Due latest first"},
    )

    def filter_scope(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ConditionScope.MINE:
            return queryset.filter(owner=self.request.user, status__in=OPEN_CONDITION_STATES)
        if value == ConditionScope.OPEN:
            return queryset.filter(status__in=OPEN_CONDITION_STATES)
        return queryset
