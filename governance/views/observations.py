"""Monitoring results of a use case: every observation of every version, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from governance.charts import use_case_charts
from governance.monitoring_filters import ObservationFilterSet
from governance.selectors import observations_of_use_case
from governance.views.common import use_case_crumbs
from lifecycle.access import get_use_case_for_user

PAGE_SIZE = 50


@require_safe
def observation_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    filterset = ObservationFilterSet(request.GET, queryset=observations_of_use_case(use_case), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/observation_list.html",
        {
            "use_case": use_case,
            "page_obj": page,
            "observations": page.object_list,
            "form": filterset.form,
            "charts": use_case_charts(use_case),
            "crumbs": use_case_crumbs(use_case, "Monitoring"),
        },
    )
