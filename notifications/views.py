"""Notification pages: the list, marking read, the header badge, e-mail settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from core.params import id_param, int_param
from notifications.forms import EmailModeForm
from notifications.services import notifications_mark_read as notifications_mark_read_for
from notifications.services import notifications_unread_count, user_email_mode_set

NOTIFICATIONS_PER_PAGE = 25


@require_safe
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(request.user.notifications.all(), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    unread = notifications_unread_count(user=request.user)
    return render(
        request,
        "notifications/notifications.html",
        {
            "page_obj": page,
            "unread_count": unread,
            "may_mark_all": unread > 0,
            "email_mode_label": request.user.get_email_mode_display().lower(),
            "crumbs": [("Notifications", None)],
        },
    )


@login_not_required
@require_safe
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """The unread count in the header, re-fetched by htmx; the full page renders the same partial.

    Open to signed-out requests on purpose: a poll after the session ended must
    not follow the sign-in redirect and paste the sign-in page into the header.
    """
    unread = notifications_unread_count(user=request.user) if request.user.is_authenticated else 0
    return render(request, "notifications/notifications_badge.html", {"unread_notifications": unread})


def _parse_ids(values: list[str]) -> list[int] | None:
    ids = []
    for value in values:
        if (notification_id := id_param(value)) is None:
            return None
        ids.append(notification_id)
    return ids


@require_POST
def notifications_mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark one (id=...), several, or all of your own notifications read."""
    raw_ids = request.POST.getlist("id")
    ids: list[int] | None = None
    if raw_ids:
        ids = _parse_ids(raw_ids)
        if ids is None:
            return HttpResponseBadRequest("Each id must be a notification number.", content_type="text/plain")
        # Someone else's notification does not exist as far as you are concerned.
        if request.user.notifications.filter(pk__in=ids).count() != len(set(ids)):
            raise Http404("No such notification.")
    count = notifications_mark_read_for(user=request.user, ids=ids)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    page = request.POST.get("page", "")
    target = reverse("notifications:list")
    if int_param(page, low=1) is not None:
        target += f"?page={page}"
    return redirect(target)


@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose how notifications arrive by e-mail: each as it happens, or one daily digest."""
    if request.method == "POST":
        form = EmailModeForm(request.POST)
        if form.is_valid():
            user_email_mode_set(user=request.user, email_mode=form.cleaned_data["email_mode"])
            messages.success(request, f"E-mail: {request.user.get_email_mode_display().lower()}.")
            return redirect("notifications:settings")
        status = 400
    else:
        form = EmailModeForm(initial={"email_mode": request.user.email_mode})
        status = 200
    crumbs = [("Notifications", reverse("notifications:list")), ("E-mail settings", None)]
    return render(request, "notifications/notification_settings.html", {"form": form, "crumbs": crumbs}, status=status)
