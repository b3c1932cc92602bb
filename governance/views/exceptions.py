"""Exceptions to gate requirements: granted and withdrawn by a second-line lead, with a reason each time."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from governance.access import exception_grant_refusal, exception_withdraw_refusal, get_exception_for_user
from governance.forms import ExceptionGrantForm, LiftForm
from governance.services.exceptions import (
    exception_grant,
    exception_withdraw,
    requirement_words,
    waivable_requirements,
)
from governance.views.common import BAD_REQUEST, use_case_crumbs
from lifecycle.access import get_use_case_for_user
from signoff.access import refuse_if_forbidden


@require_http_methods(["GET", "POST"])
def exception_grant_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    refuse_if_forbidden(exception_grant_refusal(request.user, use_case), on=use_case)
    form = ExceptionGrantForm(request.POST or None, waivable=waivable_requirements(use_case), words=requirement_words)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                granted = exception_grant(
                    use_case=use_case,
                    actor=request.user,
                    requirement_key=data["requirement_key"],
                    reason=data["reason"],
                    compensating_controls=data["compensating_controls"],
                    expires_on=data["expires_on"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request,
                    f"{requirement_words(granted.requirement_key)} is waived until {granted.expires_on:%Y-%m-%d}; "
                    "the owners have been told.",
                )
                return redirect(use_case)
        status = BAD_REQUEST
    return render(
        request,
        "governance/exception_form.html",
        {"form": form, "use_case": use_case, "crumbs": use_case_crumbs(use_case, "Grant an exception")},
        status=status,
    )


@require_POST
def exception_withdraw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exception = get_exception_for_user(request.user, pk)
    use_case = exception.use_case
    refuse_if_forbidden(exception_withdraw_refusal(request.user, use_case), on=use_case)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            exception_withdraw(exception=exception, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(use_case)
        messages.success(request, f"Withdrawn: {requirement_words(exception.requirement_key)} is required again.")
        return redirect(use_case)
    messages.error(request, "Say why the exception is withdrawn.")
    return render(
        request,
        "governance/reason_form.html",
        {
            "form": form,
            "use_case": use_case,
            "heading": f"Withdraw the exception to {requirement_words(exception.requirement_key)}",
            "explain": "The requirement is required again at once.",
            "button": "Withdraw the exception for",
            "crumbs": use_case_crumbs(use_case, "Withdraw an exception"),
        },
        status=BAD_REQUEST,
    )
