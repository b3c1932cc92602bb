"""The home page for each role, portfolio insight and the inventory export."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from core.sorting import sort_columns
from governance.selectors import art73_clocks
from lifecycle.access import use_case_may_create
from lifecycle.models import Stage
from portal import dashboards, governance_home, governance_insight, insight
from portal.filters import WaitingFilterSet, WorkloadFilterSet
from signoff.selectors import conditions_of_owner
from webhooks.selectors import webhook_endpoints_disabled

QUEUE_SHOWN = 10
ART73_SHOWN = 20
WAITING_PAGE_SIZE = 20
WORKLOAD_COLUMNS = [("Member", "member"), ("Open reviews", "open"), ("Overdue", "overdue")]


def _require_role(user: User) -> None:
    if not user.has_any_role:
        raise PermissionDenied("Your account holds no role yet; ask an administrator to give you one.")


def _queue_context(user: User, memberships) -> dict:
    return {
        "queue": dashboards.queue_items(dashboards.review_queue_head(user, memberships, limit=QUEUE_SHOWN), user),
        "queue_total": dashboards.review_queue_count(user, memberships),
    }


def _workload_context(request: AuthenticatedHttpRequest, functions) -> dict:
    filterset = WorkloadFilterSet(request.GET, queryset=dashboards.lead_workload(functions), request=request)
    return {
        "workload": list(filterset.qs),
        "workload_columns": sort_columns(filterset, WORKLOAD_COLUMNS, param="workload"),
    }


@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    memberships = dashboards.memberships_of(user)
    sections = dashboards.home_sections_for(user, memberships)
    if sections.lead and request.htmx and request.htmx.target == "workload":
        # Sorting the workload table swaps only the table.
        workload = _workload_context(request, dashboards.lead_functions(memberships))
        return render(request, "portal/home_workload.html", workload)
    today = timezone.localdate()
    context: dict = {"sections": sections, "today": today}
    # Whoever must meet a condition of approval sees it, whatever their role.
    context["my_conditions"] = list(conditions_of_owner(user=user)[: dashboards.LIST_LIMIT])
    if sections.any and not user.is_auditor:
        context.update(governance_home.owner_governance(user, today))
    if sections.engineer:
        context["progress"] = dashboards.engineer_progress(user)
        context["owned_count"] = dashboards.use_cases_owned_by(user).count()
        context["may_register"] = use_case_may_create(user)
        context["open_requests"] = list(dashboards.engineer_open_requests(user))
    if sections.reviewer:
        context.update(_queue_context(user, memberships))
    if sections.lead:
        functions = dashboards.lead_functions(memberships)
        context.update(_workload_context(request, functions))
        context["lead_functions"] = functions
        context["unassigned"] = dashboards.lead_unassigned(functions)
        context["escalations"] = dashboards.lead_escalations(functions)
        context["escalate_after"] = settings.ESCALATE_AFTER_DAYS_OVERDUE
        context.update(governance_home.lead_governance(today))
        context["art73_clocks"] = list(art73_clocks(user)[:ART73_SHOWN])
    if sections.auditor:
        context["approvals"] = list(dashboards.recent_approvals())
        context["packets"] = list(dashboards.recent_packets())
        context.update(governance_home.auditor_governance(today))
    if sections.admin:
        context["policies"] = dashboards.gate_policy_rows()
        context["role_groups"] = list(dashboards.role_holders())
        context["functions"] = list(dashboards.function_members())
        context["disabled_webhooks"] = list(webhook_endpoints_disabled())
    return render(request, "portal/home.html", context)


@require_safe
def home_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reviewer's queue on its own, for the home page's periodic refresh."""
    user = request.user
    memberships = dashboards.memberships_of(user)
    context = _queue_context(user, memberships) if dashboards.home_sections_for(user, memberships).reviewer else {}
    return render(request, "portal/home_queue.html", context)


@require_safe
def insight_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_role(request.user)
    filterset = WaitingFilterSet(request.GET, queryset=insight.requests_waiting(), request=request)
    page = Paginator(filterset.qs, WAITING_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "crumbs": [("Portfolio insight", None)],
        "page_obj": page,
        "now": timezone.now(),
        "waiting_columns": sort_columns(
            filterset, [("Use case", "use_case"), ("Target stage", "stage"), ("Waiting since", "waiting")]
        ),
    }
    if request.htmx and request.htmx.target == "waiting":
        return render(request, "portal/insight_waiting.html", context)
    entries = insight.stage_entries()
    counts = insight.stage_counts(entries)
    context.update(
        {
            "counts": counts,
            "retired": counts[Stage.RETIRED],
            "total": sum(counts.values()),
            "funnel": insight.funnel(counts),
            "funnel_height": insight.funnel_height(),
            "bar_height": insight.FUNNEL_BAR_HEIGHT,
            "durations": insight.stage_durations(entries=entries),
            "cycles": insight.review_cycle_times(),
            "findings_by_severity": governance_insight.findings_by_severity(),
        }
    )
    return render(request, "portal/insight.html", context)


@require_safe
def inventory_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    _require_role(request.user)
    use_cases = insight.inventory_export(actor=request.user)
    response = StreamingHttpResponse(
        insight.inventory_csv_lines(use_cases.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="stagegate-inventory-{stamp}.csv"'
    return response
