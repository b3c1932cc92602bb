from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.models import AuditEvent
from portal.refusals import refusal_audit


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(request.user.notifications.all(), 25).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page_obj": page})


@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    qs = request.user.notifications.filter(read_at__isnull=True)
    if ids := request.POST.getlist("id"):
        qs = qs.filter(pk__in=[i for i in ids if i.isdigit()])
    count = qs.update(read_at=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("portal:notifications")


def audit_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEvent.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_list.html", {"page_obj": page})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else "You do not have permission to do that."
    refusal_audit(request, status=403, reason=reason)
    return render(request, "403.html", {"reason": reason}, status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {}, status=500)
