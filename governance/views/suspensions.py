"""Suspending a use case and lifting its suspension: the second line's leads, with a reason each time."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from governance.access import lift_refusal, suspend_refusal
from governance.forms import LiftForm, SuspendForm
from governance.services import suspension_active, suspension_lift, use_case_suspend
from governance.views.common import BAD_REQUEST, use_case_crumbs
from lifecycle.access import get_use_case_for_user
from lifecycle.models import UseCase
from signoff.access import refuse_if_forbidden


def _reason_page(
    request: AuthenticatedHttpRequest,
    use_case: UseCase,
    form: forms.Form,
    act: Callable[[str], object],
    *,
    button: str,
    explain: str,
    done: str,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                act(form.cleaned_data["reason"])
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, done)
                return redirect(use_case)
        status = BAD_REQUEST
    return render(
        request,
        "governance/reason_form.html",
        {
            "form": form,
            "use_case": use_case,
            "heading": f"{button} {use_case.title}",
            "explain": explain,
            "button": button,
            "suspension": suspension_active(use_case),
            "crumbs": use_case_crumbs(use_case, button),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def use_case_suspend_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    refuse_if_forbidden(suspend_refusal(request.user, use_case), on=use_case)
    return _reason_page(
        request,
        use_case,
        SuspendForm(request.POST or None),
        lambda reason: use_case_suspend(use_case=use_case, actor=request.user, reason=reason),
        button="Suspend",
        explain="Suspension stops every version of this use case at once: the run gate denies until the "
        "second line lifts it. The owners are told, with your reason.",
        done="Suspended. The run gate now denies every version; the owners have been told.",
    )


@require_http_methods(["GET", "POST"])
def suspension_lift_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    refuse_if_forbidden(lift_refusal(request.user, use_case), on=use_case)
    return _reason_page(
        request,
        use_case,
        LiftForm(request.POST or None),
        lambda reason: suspension_lift(use_case=use_case, actor=request.user, reason=reason),
        button="Lift the suspension of",
        explain="Lifting lets the approved versions run again at the stages they were approved for.",
        done="Suspension lifted. The approved versions may run again; the owners have been told.",
    )
