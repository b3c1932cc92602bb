"""The registry: the list, registering, a use case's page, editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from core.sorting import sort_columns
from lifecycle.access import (
    classification_change_decide_refusal,
    get_use_case_for_user,
    use_case_may_create,
    use_case_may_request_promotion,
)
from lifecycle.filters import UseCaseFilterSet
from lifecycle.forms import (
    UseCaseForm,
)
from lifecycle.models import UseCase
from lifecycle.panels import panels_for
from lifecycle.questionnaire import Flag
from lifecycle.selectors import (
    artifacts_of,
    assessment_current,
    classification_change_pending,
    readiness_of,
    stage_history_of,
    use_case_actions,
    use_cases_for_list,
    use_cases_resembling,
    versions_of,
)
from lifecycle.services import (
    use_case_create,
    use_case_update,
)
from lifecycle.views.common import BAD_REQUEST, PAGE_SIZE, _crumbs, _use_case_crumbs

SORT_COLUMNS = [("Title", "title"), ("Stage", "stage"), ("Tier", "tier"), ("Updated", "-updated")]


@require_safe
def use_case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset = UseCaseFilterSet(request.GET, queryset=use_cases_for_list(request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "lifecycle/use_case_list.html",
        {
            "page_obj": page,
            "use_cases": page.object_list,
            "form": filterset.form,
            "sort": filterset.filters["sort"].current(),
            "sort_columns": sort_columns(filterset, SORT_COLUMNS),
            "may_create": use_case_may_create(request.user),
            "crumbs": [("Use cases", "")],
        },
    )


@require_http_methods(["GET", "POST"])
def use_case_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not use_case_may_create(request.user):
        raise PermissionDenied("Auditors and accounts without a role may not register use cases.")
    form = UseCaseForm(request.POST or None, creating=True)
    status = 200
    resembling: list[UseCase] = []
    if request.method == "POST":
        # A likely duplicate is said, never refused: the person who knows both decides, with one more press.
        resembling = use_cases_resembling(request.user, title=request.POST.get("title", ""))
        warned = bool(resembling) and not request.POST.get("register_anyway")
        if form.is_valid() and not warned:
            try:
                use_case = use_case_create(
                    actor=request.user,
                    slug=form.cleaned_data["slug"],
                    **form.service_fields(),
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"Registered “{use_case.title}”. Next: classify it and add a version.")
                return redirect(use_case)
        status = 200 if warned and form.is_valid() else BAD_REQUEST
    return render(
        request,
        "lifecycle/use_case_form.html",
        {"form": form, "creating": True, "resembling": resembling, "crumbs": _crumbs(("Register", ""))},
        status=status,
    )


def _next_stage_url(slug: str) -> str:
    # Promotion is asked for on sign-off's pages; the registry links to them by name only.
    return reverse("signoff:request-create", args=[slug])


@require_safe
def use_case_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    artifacts = list(artifacts_of(use_case))
    assessment = assessment_current(use_case)
    pending = classification_change_pending(use_case)
    actions = use_case_actions(request.user, use_case)
    return render(
        request,
        "lifecycle/use_case_detail.html",
        {
            "use_case": use_case,
            "today": timezone.localdate(),
            "pending_change": pending,
            "may_decide_change": pending is not None
            and classification_change_decide_refusal(request.user, pending) is None,
            "actions": {str(a) for a in actions},
            "versions": versions_of(use_case),
            "current_artifacts": [a for a in artifacts if a.is_current],
            "superseded_artifacts": [a for a in artifacts if not a.is_current],
            "assessment": assessment,
            "assessment_flags": [Flag.LABELS.get(f, f) for f in assessment.transparency_flags] if assessment else [],
            "readiness": readiness_of(use_case),
            "stage_history": stage_history_of(use_case),
            "next_stage_url": _next_stage_url(use_case.slug)
            if use_case_may_request_promotion(request.user, use_case) and use_case.promotion_refusal() is None
            else "",
            "crumbs": _crumbs((use_case.title, "")),
            "panels": panels_for(request.user, use_case),
        },
    )


@require_http_methods(["GET", "POST"])
def use_case_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    # The ModelForm writes posted values onto its instance; the page's headings keep the saved title.
    crumbs = _use_case_crumbs(use_case, "Edit")
    heading = use_case.title
    form = UseCaseForm(request.POST or None, instance=use_case, creating=False)
    status = 200
    if request.method == "POST":
        # The service re-reads the use case under lock; the form's copy only carries the posted values.
        if form.is_valid():
            try:
                use_case_update(use_case=use_case, actor=request.user, **form.service_fields())
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, "Saved the registry entry.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/use_case_form.html",
        {"form": form, "creating": False, "use_case": use_case, "heading": heading, "crumbs": crumbs},
        status=status,
    )
