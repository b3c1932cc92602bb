"""The shell's lists: the lead's workload, requests waiting."""

from __future__ import annotations

from core.filters import FilterSet, SortFilter


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
