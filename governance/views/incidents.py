"""The incident register's pages: the register, a use case's incidents, recording one, and its actions."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.forms import form_errors_apply
from core.params import id_param
from governance.access import (
    incident_close_refusal,
    incident_link_refusal,
    incident_record_refusal,
    incident_report_refusal,
)
from governance.incident_forms import BlockingForm, IncidentCloseForm, IncidentForm, IncidentSuspendForm, ReportedForm
from governance.models import Incident
from governance.selectors import incidents_visible_to
from governance.services import (
    incident_blocking_set,
    incident_close,
    incident_link_demotion,
    incident_mark_reported,
    incident_record,
    incident_suspend,
)
from governance.views.common import BAD_REQUEST, use_case_crumbs
from lifecycle.access import get_use_case_for_user
from signoff.access import refuse_if_forbidden

PAGE_SIZE = 50


def get_incident_for_user(request: AuthenticatedHttpRequest, pk: str | int) -> Incident:
    """The incident if its use case may be seen; 404 otherwise, as for a missing one."""
    incident_id = id_param(str(pk))
    incident = incidents_visible_to(request.user).filter(pk=incident_id).first() if incident_id else None
    if incident is None:
        raise Http404("No such incident.")
    return incident


@require_safe
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    qs = incidents_visible_to(request.user)
    if show != "all":
        show = "open"
        qs = qs.filter(state=Incident.State.OPEN)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/incident_list.html",
        {
            "page_obj": page,
            "incidents": page.object_list,
            "show": show,
            "today": timezone.localdate(),
            "crumbs": [("Incidents", "")],
        },
    )


@require_http_methods(["GET", "POST"])
def incident_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    use_case = get_use_case_for_user(request.user, slug)
    refuse_if_forbidden(incident_record_refusal(request.user, use_case), on=use_case)
    form = IncidentForm(request.POST or None, use_case=use_case)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = incident_record(
                    use_case=use_case,
                    actor=request.user,
                    severity=data["severity"],
                    clock=data["clock"] or "",
                    title=data["title"],
                    description=data["description"],
                    people_affected=data["people_affected"],
                    detected_at=data["detected_at"],
                    aware_at=data["aware_at"],
                    version=data["version"],
                    blocking=data["blocking"],
                )
            except ValidationError as exc:
                form_errors_apply(form, exc)
            else:
                due = (
                    f" Report it to the authority by {incident.report_due_on:%d %b %Y}."
                    if incident.report_due_on
                    else ""
                )
                messages.success(request, f"Recorded the incident.{due}")
                return redirect(incident)
        status = BAD_REQUEST
    return render(
        request,
        "governance/incident_form.html",
        {"form": form, "use_case": use_case, "crumbs": use_case_crumbs(use_case, "Record an incident")},
        status=status,
    )


def _actions(request: AuthenticatedHttpRequest, incident: Incident) -> set[str]:
    user, use_case = request.user, incident.use_case
    actions = set()
    if incident.report_pending and incident_report_refusal(user, use_case) is None:
        actions.add("report")
    if incident.is_open and incident_link_refusal(user, use_case) is None:
        actions.update({"suspend", "link_demotion", "blocking"})
    if incident.is_open and not incident.report_pending and incident_close_refusal(user, use_case) is None:
        actions.add("close")
    return actions


def _detail(request: AuthenticatedHttpRequest, incident: Incident, *, status: int = 200, **forms_: forms.Form):
    return render(
        request,
        "governance/incident_detail.html",
        {
            "incident": incident,
            "use_case": incident.use_case,
            "actions": _actions(request, incident),
            "today": timezone.localdate(),
            "report_form": forms_.get("report_form") or ReportedForm(),
            "suspend_form": forms_.get("suspend_form") or IncidentSuspendForm(),
            "close_form": forms_.get("close_form") or IncidentCloseForm(),
            "crumbs": [("Incidents", reverse("governance:incident-list")), (incident.title, "")],
        },
        status=status,
    )


@require_safe
def incident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_incident_for_user(request, pk))


def _act(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    form: forms.Form,
    form_name: str,
    act: Callable[[dict], object],
    done: str,
) -> HttpResponse:
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form, exc)
        else:
            messages.success(request, done)
            return redirect(incident)
    return _detail(request, incident, status=BAD_REQUEST, **{form_name: form})


@require_POST
def incident_report_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request, pk)
    refuse_if_forbidden(incident_report_refusal(request.user, incident.use_case), on=incident.use_case)
    return _act(
        request,
        incident,
        ReportedForm(request.POST),
        "report_form",
        lambda d: incident_mark_reported(incident=incident, actor=request.user, reported_at=d["reported_at"]),
        "Marked reported to the authority; the clock's reminders stop.",
    )


@require_POST
def incident_suspend_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request, pk)
    refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
    return _act(
        request,
        incident,
        IncidentSuspendForm(request.POST),
        "suspend_form",
        lambda d: incident_suspend(incident=incident, actor=request.user, reason=d["reason"]),
        "The use case is suspended, linked to this incident; its gate denies.",
    )


@require_POST
def incident_link_demotion_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request, pk)
    refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
    return _act(
        request,
        incident,
        forms.Form(request.POST),
        "link_form",
        lambda d: incident_link_demotion(incident=incident, actor=request.user),
        "Linked the demotion that followed the incident.",
    )


@require_POST
def incident_close_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request, pk)
    refuse_if_forbidden(incident_close_refusal(request.user, incident.use_case), on=incident.use_case)
    return _act(
        request,
        incident,
        IncidentCloseForm(request.POST),
        "close_form",
        lambda d: incident_close(
            incident=incident,
            actor=request.user,
            root_cause=d["root_cause"],
            corrective_actions=d["corrective_actions"],
        ),
        "Closed the incident.",
    )


@require_POST
def incident_blocking_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for_user(request, pk)
    refuse_if_forbidden(incident_link_refusal(request.user, incident.use_case), on=incident.use_case)
    form = BlockingForm(request.POST)
    return _act(
        request,
        incident,
        form,
        "blocking_form",
        lambda d: incident_blocking_set(incident=incident, actor=request.user, blocking=d["blocking"] == "yes"),
        "Saved: the run gate follows it at once.",
    )
