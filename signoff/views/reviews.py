"""The review page, its decision, and taking, assigning and handing over reviews."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from audit.models import AuditEvent
from audit.services import Verb
from core.forms import form_errors_apply, next_url_or
from core.params import id_param
from signoff import access, services
from signoff.forms import (
    AssignForm,
    DecisionForm,
    HandOverForm,
)
from signoff.models import Decision, Review
from signoff.selectors import (
    conditions_open_on,
    function_members,
    reviews_of_request,
    snapshot_diff,
)
from signoff.views.common import BAD_REQUEST
from signoff.views.snapshot import snapshot_context


def _decision_owners(review: Review):
    return User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


def _hand_over(review: Review) -> dict | None:
    """The last hand-over of this review, with the note its giver left, while the review is with its receiver."""
    if review.assignee is None:
        return None
    event = (
        AuditEvent.objects.filter(
            verb=Verb.REVIEW_HANDED_OVER, object_type=review._meta.label_lower, object_id=str(review.pk)
        )
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    if event is None or (event.changes.get("assignee") or [None, None])[-1] != review.assignee.username:
        return None
    return {"by": event.actor or event.actor_label, "at": event.created_at, "note": event.changes.get("note", "")}


def _review_context(
    request: AuthenticatedHttpRequest, review: Review, *, decision_form: DecisionForm | None = None
) -> dict:
    actions = access.review_actions(request.user, review)
    members = function_members(function=review.function)
    if review.assignee_id is not None:
        members = members.exclude(pk=review.assignee_id)
    readiness_request = review.request
    return {
        "review": review,
        "req": readiness_request,
        "use_case": readiness_request.use_case,
        "snap": snapshot_context(readiness_request),
        "other_reviews": [r for r in reviews_of_request(request=readiness_request) if r.pk != review.pk],
        "hand_over": _hand_over(review),
        "actions": actions,
        "decision_form": decision_form or DecisionForm(owners=_decision_owners(review)),
        "assign_form": AssignForm(members=members),
        "hand_over_form": HandOverForm(members=members),
        "conditions": review.conditions.select_related("owner"),
        "open_conditions": list(conditions_open_on(use_case=review.request.use_case)),
        "changes_since_last_look": snapshot_diff(old=review.last_viewed_snapshot, new=review.request.evidence_snapshot)
        if review.assignee_id == request.user.pk
        else [],
        "refusal": access.review_decide_refusal(request.user, review) if review.is_open else None,
        "crumbs": [
            ("Reviews", reverse("signoff:review-queue")),
            (f"{review.function} review of #{review.request_id}", ""),
        ],
    }


@require_http_methods(["GET", "POST"])
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The review page; POST is the decision (htmx posts swap the form, others get the full page)."""
    review = access.get_review_for_user(request.user, pk)
    if request.method == "GET":
        context = _review_context(request, review)
        services.review_mark_viewed(review=review, actor=request.user)
        return render(request, "signoff/review_detail.html", context)
    access.refuse_if_forbidden(access.review_decide_refusal(request.user, review), on=review)
    form = DecisionForm(request.POST, owners=_decision_owners(review))
    if form.is_valid():
        try:
            services.review_decide(
                review=review,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                conditions=form.conditions(),
            )
        except ValidationError as exc:
            form_errors_apply(form, exc)
            review = access.get_review_for_user(request.user, pk)
            if not (review.is_open and review.request.in_review):
                # Closed under the reviewer (evidence changed, or another decision came first).
                messages.error(request, " ".join(exc.messages))
                return _to(request, review.request.get_absolute_url())
        else:
            label = Decision(form.cleaned_data["decision"]).label.lower()
            messages.success(request, f"Recorded: {label}.")
            return _to(request, review.request.get_absolute_url())
    review = access.get_review_for_user(request.user, pk)
    context = _review_context(request, review, decision_form=form)
    template = "signoff/_decision_form.html" if request.htmx else "signoff/review_detail.html"
    return render(request, template, context, status=BAD_REQUEST)


def _to(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _review_write(request: AuthenticatedHttpRequest, pk: int, refusal_of, write, success) -> HttpResponse:
    review = access.get_review_for_user(request.user, pk)
    access.refuse_if_forbidden(refusal_of(request.user, review), on=review)
    try:
        done = write(review)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        review = access.get_review_for_user(request.user, pk)
        return render(request, "signoff/review_detail.html", _review_context(request, review), status=BAD_REQUEST)
    messages.success(request, success(done))
    return redirect(next_url_or(request, review.get_absolute_url()))


@require_POST
def review_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _review_write(
        request,
        pk,
        access.review_claim_refusal,
        lambda r: services.review_claim(review=r, actor=request.user),
        lambda r: "The review is yours now.",
    )


def _person(request: AuthenticatedHttpRequest, field: str, review: Review) -> User:
    members = function_members(function=review.function)
    value = request.POST.get(field, "")
    person = members.filter(pk=person_id).first() if (person_id := id_param(value)) is not None else None
    if person is None:
        raise ValidationError({field: f"Choose a member of {review.function}."})
    return person


@require_POST
def review_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def write(review: Review) -> Review:
        return services.review_assign(review=review, actor=request.user, assignee=_person(request, "assignee", review))

    return _review_write(
        request, pk, access.review_assign_refusal, write, lambda r: f"Assigned to {r.assignee}; they have been told."
    )


@require_POST
def review_hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def write(review: Review) -> Review:
        return services.review_hand_over(
            review=review,
            actor=request.user,
            to=_person(request, "to", review),
            note=request.POST.get("note", "")[:500],
        )

    return _review_write(request, pk, access.review_hand_over_refusal, write, lambda r: f"Handed over to {r.assignee}.")
