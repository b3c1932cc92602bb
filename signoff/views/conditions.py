"""Conditions of approval: the page of one, marking it met with evidence, accepting, returning, waiving."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from signoff import access, condition_access, services
from signoff.forms import ConditionJudgeForm, ConditionMetForm, ConditionWaiveForm
from signoff.models import ReviewCondition
from signoff.services.conditions import condition_evidence_download_record
from signoff.views.common import BAD_REQUEST


def _page(request: AuthenticatedHttpRequest, condition: ReviewCondition, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "signoff/condition_detail.html",
        {
            "condition": condition,
            "actions": condition_access.condition_actions(request.user, condition),
            "met_form": ConditionMetForm(),
            "judge_form": ConditionJudgeForm(),
            "waive_form": ConditionWaiveForm(),
            "crumbs": [
                ("Requests", reverse("signoff:request-list")),
                (
                    f"#{condition.review.request_id} {condition.use_case.title}",
                    condition.review.request.get_absolute_url(),
                ),
                ("Condition", ""),
            ],
        },
        status=status,
    )


@require_safe
def condition_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, condition_access.get_condition_for_user(request.user, pk))


def _write(
    request: AuthenticatedHttpRequest,
    pk: int,
    refusal_of: Callable[..., access.Refusal | None],
    write: Callable[[ReviewCondition], ReviewCondition],
    success: str,
) -> HttpResponse:
    condition = condition_access.get_condition_for_user(request.user, pk)
    access.refuse_if_forbidden(refusal_of(request.user, condition), on=condition)
    try:
        write(condition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, condition_access.get_condition_for_user(request.user, pk), status=BAD_REQUEST)
    messages.success(request, success)
    return redirect(condition.get_absolute_url())


@require_POST
def condition_mark_met(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note = _note(request)
    upload = request.FILES.get("file")
    return _write(
        request,
        pk,
        condition_access.condition_mark_met_refusal,
        lambda c: services.condition_mark_met(condition=c, actor=request.user, note=note, file=upload),
        "Marked met; the function that set the condition has been asked to accept it.",
    )


def _note(request: AuthenticatedHttpRequest, name: str = "note") -> str:
    return request.POST.get(name, "")


@require_POST
def condition_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        condition_access.condition_accept_refusal,
        lambda c: services.condition_accept(condition=c, actor=request.user, note=_note(request)),
        "Accepted: the condition is met and closed.",
    )


@require_POST
def condition_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        condition_access.condition_return_refusal,
        lambda c: services.condition_return(condition=c, actor=request.user, note=_note(request)),
        "Returned to its owner: the condition is open again.",
    )


@require_POST
def condition_waive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _write(
        request,
        pk,
        condition_access.condition_waive_refusal,
        lambda c: services.condition_waive(condition=c, actor=request.user, reason=_note(request, "reason")),
        "Waived: the condition is closed without being met.",
    )


@require_safe
def condition_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    condition = condition_access.get_condition_for_user(request.user, pk)
    if not condition.evidence_file:
        raise Http404("This condition has no evidence file.")
    try:
        handle = condition.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing; tell an administrator.") from None
    condition_evidence_download_record(condition=condition, actor=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=condition.evidence_name, content_type=condition.evidence_content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
