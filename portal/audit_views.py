"""The auditor's view of the audit trail: browse with filters, export as CSV, verify the chain."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from audit.services import audit_head
from lifecycle.models import UseCase
from portal.audit_trail import (
    audit_chain_status,
    audit_csv_rows,
    audit_events_readable,
    audit_export_record,
    audit_trail_check,
    use_case_slugs,
)
from portal.audit_words import changes_in_words, verb_in_words
from portal.filters import AuditEventFilterSet

PAGE_SIZE = 50


def _filterset(request: AuthenticatedHttpRequest) -> AuditEventFilterSet:
    return AuditEventFilterSet(request.GET, queryset=audit_events_readable(request.user), request=request)


# Filter suggestions offered as the auditor types; a longer registry is still found by typing its name.
SUGGESTIONS = 500


@require_safe
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filterset = _filterset(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    slugs = use_case_slugs(events)
    for event in events:
        # Words for people: the verb and each change, never the stored codes and dicts.
        event.what = verb_in_words(event.verb)
        event.change_lines = changes_in_words(event.changes or {})
    chain_status, head_seq = audit_chain_status()
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/audit_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "rows": [(e, slugs.get(e.use_case_id, "")) for e in events],
            "use_case_options": UseCase.objects.order_by("-created_at").values_list("slug", "title")[:SUGGESTIONS],
            "people_options": User.objects.filter(is_active=True)
            .order_by("username")
            .values_list("username", "first_name", "last_name")[:SUGGESTIONS],
            "chain_status": chain_status,
            "head_seq": head_seq,
            "export_url": reverse("portal:audit-export") + (f"?{params.urlencode()}" if params else ""),
            "crumbs": [("Audit trail", None)],
        },
    )


@require_safe
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filterset = _filterset(request)
    if not filterset.is_valid():
        # A download has no form to show the error beside, and an export that quietly widened is worse than none.
        errors = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items())
        return HttpResponse(f"Bad filter: {errors}", status=400, content_type="text/plain; charset=utf-8")
    # The export is a snapshot up to the head at this moment; events appended while it streams are not in it.
    up_to_seq = audit_head().seq
    audit_export_record(actor=request.user, filters=filterset.as_audit_changes(), up_to_seq=up_to_seq)
    rows = audit_csv_rows(events=filterset.qs.filter(seq__lte=up_to_seq))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}-to-{up_to_seq}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def audit_verify_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Walk the whole chain on request. It reads only, so auditors may run it."""
    audit_trail_check(request.user)
    status, _ = audit_chain_status(verify_now=True)
    if status is not None and status.ok:
        messages.success(request, f"The audit chain is intact up to event #{status.head_seq}.")
    elif status is not None:
        messages.error(request, f"The audit chain is broken at event #{status.break_seq}: {status.reason}")
    return redirect("portal:audit")
