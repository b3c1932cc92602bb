"""Registry pages. Each view asks lifecycle/access.py first and writes only through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from lifecycle.access import get_use_case_for_user, use_case_may_create
from lifecycle.forms import (
    ArtifactForm,
    DemoteForm,
    QuestionnaireForm,
    ReadinessForm,
    RetireForm,
    UseCaseForm,
    VersionForm,
    form_errors_apply,
)
from lifecycle.models import Artifact, ReadinessQuestion, RiskAssessment, Stage, Tier, UseCase
from lifecycle.questionnaire import Flag, questionnaire_load
from lifecycle.selectors import (
    DEFAULT_SORT,
    SORTS,
    Action,
    artifacts_of,
    assessment_current,
    assessments_of,
    readiness_of,
    stage_history_of,
    use_case_actions,
    use_case_search,
    versions_of,
)
from lifecycle.services import (
    artifact_download_record,
    artifact_upload,
    model_version_create,
    readiness_answers_save,
    risk_assessment_record,
    use_case_create,
    use_case_demote,
    use_case_retire,
    use_case_update,
)

PAGE_SIZE = 25
BAD_REQUEST = 400


def _crumbs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    return [("Use cases", reverse("lifecycle:use-case-list")), *items]


def _use_case_crumbs(use_case: UseCase, page: str) -> list[tuple[str, str]]:
    return _crumbs((use_case.title, use_case.get_absolute_url()), (page, ""))


def use_case_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    stage = request.GET.get("stage", "")
    tier = request.GET.get("tier", "")
    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    qs = use_case_search(request.user, q=q, stage=stage, tier=tier, sort=sort)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    return render(
        request,
        "lifecycle/use_case_list.html",
        {
            "page_obj": page,
            "use_cases": page.object_list,
            "q": q,
            "stage": stage,
            "tier": tier,
            "sort": sort,
            "stages": Stage.choices,
            "tiers": Tier.choices,
            "querystring_without_sort": sort_params.urlencode(),
            "may_create": use_case_may_create(request.user),
            "crumbs": [("Use cases", "")],
        },
    )


@require_http_methods(["GET", "POST"])
def use_case_create_view(request: HttpRequest) -> HttpResponse:
    if not use_case_may_create(request.user):
        raise PermissionDenied("Auditors and accounts without a role may not register use cases.")
    form = UseCaseForm(request.POST or None, creating=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
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
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/use_case_form.html",
        {"form": form, "creating": True, "crumbs": _crumbs(("Register", ""))},
        status=status,
    )


def _next_stage_url(slug: str) -> str:
    # The sign-off pages are their own app; link to them only where they exist.
    try:
        return reverse("signoff:request-create", args=[slug])
    except NoReverseMatch:
        pass
    try:
        return f"{reverse('signoff:request-create')}?use_case={slug}"
    except NoReverseMatch:
        return ""


def use_case_detail(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    artifacts = list(artifacts_of(use_case))
    assessment = assessment_current(use_case)
    actions = use_case_actions(request.user, use_case)
    return render(
        request,
        "lifecycle/use_case_detail.html",
        {
            "use_case": use_case,
            "actions": {str(a) for a in actions},
            "versions": versions_of(use_case),
            "current_artifacts": [a for a in artifacts if a.is_current],
            "superseded_artifacts": [a for a in artifacts if not a.is_current],
            "assessment": assessment,
            "assessment_flags": [Flag.LABELS.get(f, f) for f in assessment.transparency_flags] if assessment else [],
            "readiness": readiness_of(use_case),
            "stage_history": stage_history_of(use_case),
            "next_stage_url": _next_stage_url(use_case.slug)
            if Action.EDIT in actions and use_case.stage < Stage.SCALE and not use_case.is_prohibited
            else "",
            "crumbs": _crumbs((use_case.title, "")),
        },
    )


@require_http_methods(["GET", "POST"])
def use_case_edit(request: HttpRequest, slug: str) -> HttpResponse:
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


def _stage_change_page(
    request: HttpRequest, form: Form, use_case: UseCase, *, button: str, explain: str, status: int
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
def use_case_demote_view(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
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
def use_case_retire_view(request: HttpRequest, slug: str) -> HttpResponse:
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


@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    form = VersionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = model_version_create(use_case=use_case, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(request, f"Recorded version {version.label}. Versions are never changed.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/version_form.html",
        {
            "form": form,
            "use_case": use_case,
            "crumbs": _use_case_crumbs(use_case, "Add version"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def artifact_upload_view(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    form = ArtifactForm(request.POST or None, request.FILES or None, use_case=use_case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                artifact = artifact_upload(use_case=use_case, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                messages.success(
                    request, f"Stored {artifact.original_name} (SHA-256 {artifact.sha256[:12]}…) as evidence."
                )
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/artifact_form.html",
        {
            "form": form,
            "use_case": use_case,
            "crumbs": _use_case_crumbs(use_case, "Upload evidence"),
        },
        status=status,
    )


def artifact_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    use_case = get_use_case_for_user(request.user, slug)
    artifact = get_object_or_404(Artifact, use_case=use_case, pk=pk)
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing; tell an administrator.") from None
    artifact_download_record(artifact=artifact, actor=request.user)
    response = FileResponse(
        handle, as_attachment=True, filename=artifact.original_name, content_type=artifact.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    questionnaire = questionnaire_load()
    initial = _assessment_initial(assessment_current(use_case))
    form = QuestionnaireForm(request.POST or None, questionnaire=questionnaire, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = risk_assessment_record(
                    use_case=use_case,
                    actor=request.user,
                    answers=form.answers(),
                    is_final=form.cleaned_data["is_final"],
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                form.add_answer_errors(exc)
                if "answers" not in getattr(exc, "message_dict", {}):
                    form_errors_apply(form, exc)
            else:
                messages.success(request, f"Classified {assessment.get_tier_display()}.")
                return redirect("lifecycle:use-case-detail", slug=slug)
        status = BAD_REQUEST
    return render(
        request,
        "lifecycle/assessment_form.html",
        {
            "form": form,
            "use_case": use_case,
            "questionnaire": questionnaire,
            "crumbs": _use_case_crumbs(use_case, "Classify"),
        },
        status=status,
    )


def _assessment_initial(assessment: RiskAssessment | None) -> dict:
    """Start from the current answers, so a re-assessment changes only what changed."""
    if assessment is None:
        return {}
    initial = {}
    for qid, entry in assessment.answers.items():
        if "areas" in entry:
            initial[qid] = entry["areas"]
        elif entry.get("answer") is not None:
            initial[qid] = "yes" if entry["answer"] else "no"
        initial[f"{qid}_rationale"] = entry.get("rationale", "")
    return initial


def assessment_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    assessment = get_object_or_404(assessments_of(use_case), pk=pk)
    questionnaire = questionnaire_load()
    areas = {a.key: a for a in questionnaire.areas}
    rows = []
    for question in questionnaire.questions:
        entry = assessment.answers.get(question.id, {})
        rows.append(
            {
                "question": question,
                "answer": entry.get("answer"),
                "areas": [areas[k].label if k in areas else k for k in entry.get("areas", [])],
                "rationale": entry.get("rationale", ""),
            }
        )
    return render(
        request,
        "lifecycle/assessment_detail.html",
        {
            "use_case": use_case,
            "assessment": assessment,
            "rows": rows,
            "flags": [Flag.LABELS.get(f, f) for f in assessment.transparency_flags],
            "questionnaire": questionnaire,
            "is_current": assessment == assessment_current(use_case),
            "crumbs": _use_case_crumbs(use_case, f"Classification #{assessment.pk}"),
        },
    )


@require_http_methods(["GET", "POST"])
def readiness_edit(request: HttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug, for_change=True)
    initial = {}
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
