"""The review queue of a function, and a lead's assignment page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.http import AuthenticatedHttpRequest
from accounts.models import ReviewFunction
from signoff import access
from signoff.selectors import (
    QueueScope,
    function_members,
)
from signoff.selectors import (
    review_queue as review_queue_select,
)
from signoff.views.common import PAGE_SIZE


def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A function's open reviews, overdue first; members see their functions, everyone with a role may look."""
    functions = list(ReviewFunction.objects.all())
    mine = [f for f in functions if access.is_member(request.user, f)]
    key = request.GET.get("function", "")
    function = next((f for f in functions if f.key == key), None)
    if key and function is None:
        function = None
        key = ""
    if not key and mine:
        function = mine[0]
    scope = request.GET.get("scope", QueueScope.ALL)
    if scope not in QueueScope.CHOICES:
        scope = QueueScope.ALL
    qs = review_queue_select(user=request.user, function=function, scope=scope)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "signoff/review_queue.html",
        {
            "page_obj": page,
            "reviews": page.object_list,
            "functions": functions,
            "function": function,
            "scope": scope,
            "scopes": QueueScope.CHOICES,
            "is_lead": function is not None and access.is_lead(request.user, function),
            "crumbs": [("Reviews", "")],
        },
    )


def function_assignments(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """A lead's view: every open review of the function, each with its assignee and a way to (re)assign."""
    function = access.get_function_for_user(request.user, key)
    if not access.is_lead(request.user, function):
        raise PermissionDenied(f"Only a lead of {function} assigns its reviews.")
    qs = review_queue_select(user=request.user, function=function, scope=QueueScope.ALL)
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
