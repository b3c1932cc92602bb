"""The shell's lists: the audit trail (page, CSV export and API alike), the lead's workload, requests waiting."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.services import Verb
from core.filters import DATE_INPUT, DateRangeForm, FilterSet, IdFilter, SortFilter
from lifecycle.access import use_cases_visible_to
from lifecycle.models import UseCase
from portal.audit_words import verb_in_words


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _use_cases(request) -> QuerySet[UseCase]:
    return use_cases_visible_to(request.user)


class AuditEventFilterSet(FilterSet):
    use_case = django_filters.ModelChoiceFilter(
        queryset=_use_cases,
        to_field_name="slug",
        method="filter_use_case",
        label="Use case",
        # Typed with suggestions (a datalist of the newest), not a select of the whole registry on each page.
        widget=forms.TextInput(attrs={"list": "audit-use-cases", "autocomplete": "off"}),
        help_text="Its short name, as in its address; start typing to pick one.",
        error_messages={"invalid_choice": "No use case has the slug “%(value)s”."},
    )
    actor = django_filters.CharFilter(
        method="filter_actor",
        max_length=150,
        label="Who",
        help_text="A person's user name; start typing to pick one.",
        widget=forms.TextInput(attrs={"list": "audit-people", "autocomplete": "off"}),
    )
    verb = django_filters.ChoiceFilter(
        choices=sorted(((v.value, verb_in_words(v.value)) for v in Verb), key=lambda c: c[1]),
        label="What happened",
        empty_label="Anything",
    )
    # Ranges on created_at itself, not on its date, so the index on it serves a long trail.
    since = django_filters.DateFilter(
        method="filter_since", label="From", help_text="On or after this day.", widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        method="filter_until", label="To", help_text="On or before this day.", widget=DATE_INPUT
    )
    request = IdFilter(field_name="request_id", label="Readiness request #", help_text="Readiness request id.")
    sort = SortFilter(
        orders={"-seq": ("-seq",), "seq": ("seq",)},
        default="-seq",
        labels={"-seq": "Newest first", "seq": "Oldest first"},
    )

    class Meta(FilterSet.Meta):
        form = DateRangeForm

    def filter_use_case(self, queryset: QuerySet, name: str, value: UseCase) -> QuerySet:
        return queryset.filter(use_case_id=value.pk)

    def filter_actor(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The label keeps the name of an account since renamed or deleted.
        return queryset.filter(Q(actor_label__iexact=value) | Q(actor__username__iexact=value))

    def filter_since(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_until(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=_day_start(value + timedelta(days=1)))

    def as_audit_changes(self) -> dict:
        """The filters of an export, for its own audit event."""
        data = self.form.cleaned_data
        return {
            "use_case": data["use_case"].slug if data.get("use_case") else "",
            "actor": data.get("actor") or "",
            "verb": data.get("verb") or "",
            "since": data["since"].isoformat() if data.get("since") else "",
            "until": data["until"].isoformat() if data.get("until") else "",
            "request_id": data.get("request"),
        }


class WorkloadFilterSet(FilterSet):
    """The lead's workload table on the home page; its sort has a name of its own beside the page's others."""

    workload = SortFilter(
        orders={
            "member": ("user__username", "function__key"),
            "-member": ("-user__username", "function__key"),
            "open": ("open_count", "user__username"),
            "-open": ("-open_count", "user__username"),
            "overdue": ("overdue_count", "user__username"),
            "-overdue": ("-overdue_count", "user__username"),
        },
        default="member",
    )


class WaitingFilterSet(FilterSet):
    """Requests under review on the insight page, oldest submission first unless told otherwise."""

    sort = SortFilter(
        orders={
            "waiting": ("submitted_at", "id"),
            "-waiting": ("-submitted_at", "-id"),
            "use_case": ("use_case__title", "id"),
            "-use_case": ("-use_case__title", "-id"),
            "stage": ("target_stage", "submitted_at", "id"),
            "-stage": ("-target_stage", "submitted_at", "id"),
        },
        default="waiting",
    )
