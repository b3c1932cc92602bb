"""Asking for promotion, the request page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from core.forms import form_errors_apply
from lifecycle.access import get_use_case_for_user
from signoff import access, services
from signoff.filters import ReadinessRequestFilterSet
from signoff.forms import (
    CommentForm,
    RequestCreateForm,
    WithdrawForm,
)
from signoff.gates import gate_evaluate, policy_for_request
from signoff.models import Packet, ReadinessRequest, RequestState
from signoff.selectors import (
    conditions_open_on,
    evidence_snapshot_current,
    requests_for_list,
    reviews_of_request,
    snapshot_diff,
)
from signoff.views.common import BAD_REQUEST, PAGE_SIZE, _crumbs, _stage_param
from signoff.views.snapshot import snapshot_context


def _checklist_context(use_case, stage: int | None) -> dict:
    if stage is None:
        return {"gate": None, "checklist_stage": None}
    return {"gate": gate_evaluate(use_case=use_case, target_stage=stage), "checklist_stage": stage}


@require_http_methods(["GET", "POST"])
def request_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    access.refuse_if_forbidden(access.request_create_refusal(request.user, use_case), on=use_case)
    next_stage = use_case.next_stage
    initial_stage = _stage_param(request.GET.get("stage")) or next_stage
    form = RequestCreateForm(request.POST or None, initial={"target_stage": initial_stage}, use_case=use_case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.readiness_request_create(
                    use_case=use_case,
                    actor=request.user,
                    target_stage=form.cleaned_data["target_stage"],
                    justification=form.cleaned_data["justification"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                if "submit" in request.POST:
                    return _submit_and_redirect(request, created)
                messages.success(request, f"Draft request #{created.pk} saved. Submit it when the checklist is met.")
                return redirect(created)
        status = BAD_REQUEST
        initial_stage = _stage_param(request.POST.get("target_stage")) or next_stage
    return render(
        request,
        "signoff/request_form.html",
        {
            "use_case": use_case,
            "form": form,
            "next_stage": next_stage,
            **_checklist_context(use_case, initial_stage),
            "crumbs": [
                ("Use cases", reverse("lifecycle:use-case-list")),
                (use_case.title, use_case.get_absolute_url()),
                ("Ask for promotion", ""),
            ],
        },
        status=status,
    )


@require_GET
def request_checklist(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The gate checklist for one target stage; htmx swaps it in, and it is a page of its own without JS."""
    use_case = get_use_case_for_user(request.user, slug)
    stage = _stage_param(request.GET.get("target_stage") or request.GET.get("stage"))
    context = {"use_case": use_case, **_checklist_context(use_case, stage)}
    if request.htmx:
        return render(request, "signoff/_checklist.html", context)
    return redirect(f"{reverse('signoff:request-create', args=[slug])}?stage={stage or ''}")


def _submit(request: AuthenticatedHttpRequest, readiness_request: ReadinessRequest) -> bool:
    """Submit and say what happened; False when the gate still lacks something."""
    try:
        submitted = services.readiness_request_submit(request=readiness_request, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "Not submitted yet. " + " ".join(exc.messages))
        return False
    if submitted.state == RequestState.APPROVED:
        messages.success(request, f"Approved at once: the gate to stage {submitted.target_stage} needs no sign-off.")
    else:
        messages.success(request, f"Submitted request #{submitted.pk}; the reviewers have been told.")
    return True


def _submit_and_redirect(request: AuthenticatedHttpRequest, readiness_request: ReadinessRequest) -> HttpResponse:
    # The draft exists either way; its page shows what is still missing.
    _submit(request, readiness_request)
    return redirect(readiness_request)


@require_safe
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset = ReadinessRequestFilterSet(request.GET, queryset=requests_for_list(user=request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "signoff/request_list.html",
        {
            "page_obj": page,
            "requests": page.object_list,
            "form": filterset.form,
            "crumbs": [("Requests", "")],
        },
    )


def _review_rows(user: User, readiness_request: ReadinessRequest) -> list[dict]:
    rows = []
    for review in reviews_of_request(request=readiness_request):
        review.request = readiness_request
        actions = access.review_actions(user, review) if review.is_open else []
        # A member who finds no "Decide" button is told why (segregation of duties, or someone else's review).
        why_not = None
        if (
            review.is_open
            and "decide" not in actions
            and "claim" not in actions
            and access.is_member(user, review.function_id)
        ):
            why_not = access.review_decide_refusal(user, review)
        rows.append({"review": review, "actions": actions, "why_not": why_not})
    return rows


@require_safe
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_detail_render(request, pk)


def _request_detail_render(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    readiness_request = access.get_request_for_user(request.user, pk)
    use_case = readiness_request.use_case
    spec = policy_for_request(readiness_request)
    gate = gate_evaluate(
        use_case=use_case,
        target_stage=readiness_request.target_stage,
        version=readiness_request.version if readiness_request.revision else None,
        request=readiness_request,
    )
    review_rows = _review_rows(request.user, readiness_request)
    # What changed since this reviewer last looked, for each open review assigned to them.
    my_reviews = [
        row["review"] for row in review_rows if row["review"].is_open and row["review"].assignee_id == request.user.pk
    ]
    changes = []
    for review in my_reviews:
        changes += snapshot_diff(old=review.last_viewed_snapshot, new=readiness_request.evidence_snapshot)
        services.review_mark_viewed(review=review, actor=request.user)
    evidence_moved = []
    if readiness_request.in_review:
        evidence_moved = snapshot_diff(
            old=readiness_request.evidence_snapshot,
            new=evidence_snapshot_current(use_case=use_case, version=readiness_request.version),
        )
    return render(
        request,
        "signoff/request_detail.html",
        {
            "req": readiness_request,
            "snap": snapshot_context(readiness_request),
            "packet": Packet.objects.filter(request=readiness_request).first(),
            "use_case": use_case,
            # An approved request shows the gate as it stood when approved: today's answer (the use case has
            # moved on) would open an approved request's page with a red cross.
            "gate": readiness_request.approval_gate_result or gate,
            "gate_recorded": bool(readiness_request.approval_gate_result),
            "policy": spec,
            "review_rows": review_rows,
            "open_conditions": list(conditions_open_on(use_case=use_case)),
            "comments": readiness_request.comments.select_related("author"),
            "comment_form": CommentForm(),
            "withdraw_form": WithdrawForm(),
            "changes_since_last_look": changes,
            "evidence_moved": evidence_moved,
            "actions": access.request_actions(
                request.user, readiness_request, policy_needs_acceptance=bool(spec and spec.requires_owner_acceptance)
            ),
            "crumbs": _crumbs((f"#{readiness_request.pk} {use_case.title}", "")),
        },
    )


def _request_write(request: AuthenticatedHttpRequest, pk: int, refusal_of, write, success: str) -> HttpResponse:
    readiness_request = access.get_request_for_user(request.user, pk)
    access.refuse_if_forbidden(refusal_of(request.user, readiness_request), on=readiness_request)
    try:
        write(readiness_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _request_page(request, pk, status=BAD_REQUEST)
    messages.success(request, success)
    return redirect(readiness_request)


def _request_page(request: AuthenticatedHttpRequest, pk: int, *, status: int) -> HttpResponse:
    """The request page again, with the refusal's message, as the answer to a refused action."""
    response = _request_detail_render(request, pk)
    response.status_code = status
    return response


@require_POST
def request_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    readiness_request = access.get_request_for_user(request.user, pk)
    access.refuse_if_forbidden(access.request_submit_refusal(request.user, readiness_request), on=readiness_request)
    if not _submit(request, readiness_request):
        return _request_page(request, pk, status=BAD_REQUEST)
    return redirect(readiness_request)


@require_POST
def request_resubmit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _request_write(
        request,
        pk,
        access.request_resubmit_refusal,
        lambda r: services.readiness_request_resubmit(request=r, actor=request.user),
        "Resubmitted: the reviews start again on the new evidence.",
    )


@require_POST
def request_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _request_write(
        request,
        pk,
        access.request_withdraw_refusal,
        lambda r: services.readiness_request_withdraw(request=r, actor=request.user, reason=reason),
        "Request withdrawn; its open reviews are cancelled.",
    )


@require_POST
def request_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def refusal_of(user, r):
        spec = policy_for_request(r)
        return access.request_accept_refusal(
            user, r, policy_needs_acceptance=bool(spec and spec.requires_owner_acceptance)
        )

    return _request_write(
        request,
        pk,
        refusal_of,
        lambda r: services.readiness_request_accept_as_owner(request=r, actor=request.user),
        "Accepted as business owner.",
    )


@require_POST
def request_comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    readiness_request = access.get_request_for_user(request.user, pk)
    access.refuse_if_forbidden(access.request_comment_refusal(request.user, readiness_request), on=readiness_request)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write something to post a comment.")
        return _request_page(request, pk, status=BAD_REQUEST)
    try:
        services.readiness_request_comment(
            request=readiness_request, actor=request.user, body=form.cleaned_data["body"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _request_page(request, pk, status=BAD_REQUEST)
    messages.success(request, "Comment posted.")
    return redirect(f"{readiness_request.get_absolute_url()}#discussion")
