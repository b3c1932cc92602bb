"""The risk classification questionnaire and recorded assessments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from lifecycle.access import classification_change_decide_refusal, get_use_case_for_user
from lifecycle.forms import (
    QuestionnaireForm,
)
from lifecycle.models import RiskAssessment
from lifecycle.questionnaire import Flag, questionnaire_load
from lifecycle.selectors import (
    assessment_current,
    assessments_of,
)
from lifecycle.services import (
    classification_change_decide,
    risk_assessment_record,
)
from lifecycle.views.common import BAD_REQUEST, _use_case_crumbs


@require_http_methods(["GET", "POST"])
def assessment_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
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
                if assessment.state == RiskAssessment.State.PENDING:
                    messages.success(
                        request,
                        f"Recorded as {assessment.get_tier_display()}: a lower tier waits for the risk function's "
                        f"approval, and until then it stays {use_case.get_risk_tier_display()}.",
                    )
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


@require_safe
def assessment_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
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


@require_POST
def classification_change_decision(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The risk function approves (decision=approve) or rejects (decision=reject, with a note) a lowered tier."""
    use_case = get_use_case_for_user(request.user, slug)
    assessment = get_object_or_404(RiskAssessment, use_case=use_case, pk=pk)
    if refusal := classification_change_decide_refusal(request.user, assessment):
        raise PermissionDenied(refusal)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        raise ValidationError({"decision": "Choose approve or reject."})
    try:
        classification_change_decide(
            assessment=assessment, actor=request.user, approve=decision == "approve", note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("lifecycle:use-case-detail", slug=slug)
    messages.success(request, "Approved: the new classification is in force." if decision == "approve" else "Rejected.")
    return redirect("lifecycle:use-case-detail", slug=slug)
