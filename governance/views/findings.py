"""Findings: raised on a use case, remediated by their owner, validated closed (or reopened) by the second line."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from governance.access import (
    finding_raise_refusal,
    finding_remediate_refusal,
    finding_validate_refusal,
    findings_visible_to,
    get_finding_for_user,
)
from governance.filters import FindingFilterSet
from governance.forms import FindingRaiseForm, FindingRemediateForm, FindingReopenForm, FindingValidateForm
from governance.models import Finding
from governance.services import finding_raise, finding_remediate, finding_reopen, finding_validate
from governance.views.common import BAD_REQUEST, use_case_crumbs
from lifecycle.access import get_use_case_for_user
from signoff.access import refuse_if_forbidden

PAGE_SIZE = 25


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Findings", reverse("governance:finding-list")), *items]


@require_safe
def finding_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    queryset = findings_visible_to(request.user).select_related("use_case", "owner")
    filterset = FindingFilterSet(request.GET, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/finding_list.html",
        {"page_obj": page, "findings": page.object_list, "form": filterset.form, "crumbs": _crumbs()},
    )


@require_http_methods(["GET", "POST"])
def finding_raise_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    refuse_if_forbidden(finding_raise_refusal(request.user, use_case), on=use_case)
    form = FindingRaiseForm(request.POST or None, use_case=use_case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding = finding_raise(
                    use_case=use_case,
                    actor=request.user,
                    source=data["source"],
                    severity=data["severity"],
                    title=data["title"],
                    description=data["description"],
                    due_date=data["due_date"],
                    owner=data["owner"],
                    version=data["version"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"Finding raised; {finding.owner} has been told.")
                return redirect(finding)
        status = BAD_REQUEST
    return render(
        request,
        "governance/finding_form.html",
        {"form": form, "use_case": use_case, "crumbs": use_case_crumbs(use_case, "Raise a finding")},
        status=status,
    )


def _detail(request: AuthenticatedHttpRequest, finding: Finding, *, status: int = 200, **forms_given) -> HttpResponse:
    user = request.user
    may_remediate = finding.state == Finding.State.OPEN and finding_remediate_refusal(user, finding) is None
    may_validate = finding.state == Finding.State.REMEDIATED and finding_validate_refusal(user, finding) is None
    may_reopen = finding.state != Finding.State.OPEN and finding_validate_refusal(user, finding) is None
    remediate = forms_given.get("remediate") or (FindingRemediateForm(finding=finding) if may_remediate else None)
    return render(
        request,
        "governance/finding_detail.html",
        {
            "finding": finding,
            "use_case": finding.use_case,
            "remediate_form": remediate,
            "validate_form": forms_given.get("validate") or (FindingValidateForm() if may_validate else None),
            "reopen_form": forms_given.get("reopen") or (FindingReopenForm() if may_reopen else None),
            "crumbs": _crumbs((f"#{finding.pk} {finding.title}", "")),
        },
        status=status,
    )


@require_safe
def finding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_finding_for_user(request.user, pk))


def _finding_write(
    request: AuthenticatedHttpRequest,
    pk: int,
    refusal_of: Callable,
    form: forms.Form,
    name: str,
    act: Callable[[Finding, dict], object],
    done: str,
) -> HttpResponse:
    finding = get_finding_for_user(request.user, pk)
    refuse_if_forbidden(refusal_of(request.user, finding), on=finding.use_case)
    if form.is_valid():
        try:
            act(finding, form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, done)
            return redirect(finding)
    return _detail(request, get_finding_for_user(request.user, pk), status=BAD_REQUEST, **{name: form})


@require_POST
def finding_remediate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = get_finding_for_user(request.user, pk)
    return _finding_write(
        request,
        pk,
        finding_remediate_refusal,
        FindingRemediateForm(request.POST, finding=finding),
        "remediate",
        lambda f, data: finding_remediate(
            finding=f, actor=request.user, notes=data["remediation_notes"], evidence=data["closure_evidence"]
        ),
        "Remediation recorded; the second line validates it next.",
    )


@require_POST
def finding_validate_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _finding_write(
        request,
        pk,
        finding_validate_refusal,
        FindingValidateForm(request.POST),
        "validate",
        lambda f, data: finding_validate(finding=f, actor=request.user, comment=data["comment"]),
        "Validated: the finding is closed.",
    )


@require_POST
def finding_reopen_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _finding_write(
        request,
        pk,
        finding_validate_refusal,
        FindingReopenForm(request.POST),
        "reopen",
        lambda f, data: finding_reopen(finding=f, actor=request.user, reason=data["reason"]),
        "Reopened; its owner has been told why.",
    )
