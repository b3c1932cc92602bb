"""The review queue of a function, and a lead's assignment page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import ReviewFunction
from signoff import access
from signoff.filters import ReviewFilterSet
from signoff.selectors import function_members
from signoff.selectors import review_queue as review_queue_select
from signoff.views.common import PAGE_SIZE


@require_safe
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open reviews, overdue first; members land on their own function's queue, everyone with a role may look."""
    params = request.GET.copy()
    # Landing on the queue shows the member's own function; choosing "every function" sends an empty one.
    if "function" not in params:
        mine = ReviewFunction.objects.filter(members=request.user).values_list("key", flat=True).first()
        if mine is not None:
            params["function"] = mine
    filterset = ReviewFilterSet(params, queryset=review_queue_select(user=request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    function = filterset.form.cleaned_data.get("function")
    return render(
        request,
        "signoff/review_queue.html",
        {
            "page_obj": page,
            "reviews": page.object_list,
            "form": filterset.form,
            "function": function,
            "is_lead": function is not None and access.is_lead(request.user, function),
            "crumbs": [("Reviews", "")],
        },
    )


@require_safe
def function_assignments(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """A lead's view: every open review of the function, each with its assignee and a way to (re)assign."""
    function = access.get_function_for_user(request.user, key)
    if not access.is_lead(request.user, function):
        raise PermissionDenied(f"Only a lead of {function} assigns its reviews.")
    qs = review_queue_select(user=request.user).filter(function=function)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    members = list(function_members(function=function))
    rows = []
    for review in page.object_list:
        # Conflicted people are left out; a second signature is refused by the service with its reason.
        eligible = [m for m in members if m.pk not in review.conflicted_user_ids and m.pk != review.assignee_id]
        rows.append({"review": review, "eligible": eligible})
    return render(
        request,
        "signoff/function_assignments.html",
        {
            "function": function,
            "rows": rows,
            "page_obj": page,
            "members": members,
            "crumbs": [("Reviews", reverse("signoff:review-queue")), (f"Assign {function}", "")],
        },
    )
