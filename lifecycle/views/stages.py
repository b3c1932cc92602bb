"""Demotion and retirement pages: first-class events with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from lifecycle.access import get_use_case_for_user
from lifecycle.forms import (
    DemoteForm,
    RetireForm,
)
from lifecycle.models import UseCase
from lifecycle.services import (
    use_case_demote,
    use_case_retire,
)
from lifecycle.views.common import BAD_REQUEST, _use_case_crumbs


def _stage_change_page(
    request: AuthenticatedHttpRequest, form: Form, use_case: UseCase, *, button: str, explain: str, status: int
) -> HttpResponse:
    """Demotion and retirement share one page: a reason, what the step means, and the button naming it."""
    return render(
        request,
        "lifecycle/stage_change_form.html",
        {
            "form": form,
            "use_case": use_case,
            "heading": f"{button} {use_case.title}",
            "explain": explain,
            "button": button,
            "crumbs": _use_case_crumbs(use_case, button),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def use_case_demote_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_demotion=True)
    form = DemoteForm(request.POST or None, use_case=use_case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = use_case_demote(
                    use_case=use_case,
                    actor=request.user,
                    to_stage=form.cleaned_data["to_stage"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"Demoted to {change.get_to_stage_display()}.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return _stage_change_page(
        request,
        form,
        use_case,
        button="Demote",
        explain="Demotion rolls the use case back to a lower stage, after an incident or a failed "
        "revalidation. It is recorded with your reason.",
        status=status,
    )


@require_http_methods(["GET", "POST"])
def use_case_retire_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    form = RetireForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                use_case_retire(use_case=use_case, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, "Retired. It stays in the registry for the record.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return _stage_change_page(
        request,
        form,
        use_case,
        button="Retire",
        explain="Retiring switches the use case off for good. It cannot be undone.",
        status=status,
    )
