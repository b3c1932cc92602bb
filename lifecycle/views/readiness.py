"""The production-readiness check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from lifecycle.access import get_use_case_for_user
from lifecycle.forms import (
    ReadinessForm,
)
from lifecycle.models import ReadinessQuestion
from lifecycle.selectors import (
    readiness_of,
)
from lifecycle.services import (
    readiness_answers_save,
)
from lifecycle.views.common import BAD_REQUEST, _use_case_crumbs


@require_http_methods(["GET", "POST"])
def readiness_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    initial: dict[str, object] = {}
    for row in readiness_of(use_case):
        if row.answer is not None:
            initial[row.question.value] = "yes" if row.answer.answer else "no"
            initial[f"{row.question.value}_note"] = row.answer.note
            initial[f"{row.question.value}_artifact"] = row.answer.artifact_id
    form = ReadinessForm(request.POST or None, use_case=use_case, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = readiness_answers_save(use_case=use_case, actor=request.user, answers=form.answers())
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request, f"Saved the readiness check ({changed} answer{'s' if changed != 1 else ''} changed)."
                )
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/readiness_form.html",
        {
            "form": form,
            "use_case": use_case,
            "questions": ReadinessQuestion,
            "crumbs": _use_case_crumbs(use_case, "Readiness check"),
        },
        status=status,
    )
