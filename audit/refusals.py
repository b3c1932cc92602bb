"""The one road for refusals, for pages and the API alike.

Services raise Django's own exceptions: `PermissionDenied` (or `Refused`, which
also says what was refused) for the wrong person, `Http404` for a thing this
person may not see, `ValidationError` for bad input or the wrong moment. They
audit nothing themselves. Here, and only here, those become 403/404/400 with
the service's own words, and a refused write becomes exactly one audit event:

- the API: `api_exception_handler` (DRF's EXCEPTION_HANDLER);
- pages: Django's handler403/handler404 (portal/views.py) call
  `refusal_audit`, and `ValidationErrorMiddleware` answers a ValidationError
  that no view caught with a 400 page carrying its messages.

A refused transaction has rolled back by the time it reaches here, so the
audit event is written in a transaction of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit.models import RefusalTally
from audit.services import Verb, audit_record, current_ip
from core.exceptions import Conflict

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
AUDITED_STATUSES = (401, 403, 404)
# A throttled write of an unauthenticated client is counted with its refusals; a signed-in person's is not
# recorded, or throttling would hand them a way to grow the trail.
THROTTLED = 429


class Refused(PermissionDenied):
    """A refusal that knows what it refused, so its audit event points at it."""

    def __init__(
        self,
        reason: str,
        *,
        obj: models.Model | None = None,
        use_case_id: int | None = None,
        request_id: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.obj = obj
        self.use_case_id = use_case_id
        self.request_id = request_id


def refusal_audit(request: HttpRequest, *, status: int, reason: str, exc: BaseException | None = None) -> None:
    """Record one refused write (reads are not refusals worth a permanent row).

    A signed-in person's refusal is an event of its own. An unauthenticated
    client's is counted (`refusal_tally`), and recorded as one event per client
    and window once the window has passed (`refusal_tallies_record`).
    """
    if request.method in SAFE_METHODS:
        return
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    if actor is None:
        refusal_tally(client_ip=current_ip.get() or "", path=request.path[:300], status=status)
        return
    target: dict[str, Any] = {}
    if isinstance(exc, Refused):
        target = {"obj": exc.obj, "use_case_id": exc.use_case_id, "request_id": exc.request_id}
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb=Verb.ACCESS_REFUSED,
            changes={"method": request.method, "path": request.path[:300], "status": status, "reason": reason[:500]},
            **target,
        )


def _window_start(now: datetime) -> datetime:
    minutes = settings.ANONYMOUS_REFUSAL_WINDOW_MINUTES
    start = now.replace(second=0, microsecond=0)
    return start - timedelta(minutes=(start.hour * 60 + start.minute) % minutes)


def refusal_tally(*, client_ip: str, path: str, status: int) -> None:
    """Count one refused write of an unauthenticated client in the current window."""
    window = _window_start(timezone.now())
    key = str(status)
    with transaction.atomic():
        tally = RefusalTally.objects.select_for_update().filter(client_ip=client_ip, window_start=window).first()
        if tally is None:
            try:
                with transaction.atomic():
                    RefusalTally.objects.create(
                        client_ip=client_ip,
                        window_start=window,
                        count=1,
                        first_path=path,
                        last_path=path,
                        statuses={key: 1},
                    )
                return
            except IntegrityError:
                # Another request of the same client opened the window a moment ago.
                tally = RefusalTally.objects.select_for_update().get(client_ip=client_ip, window_start=window)
        tally.count += 1
        tally.last_path = path
        tally.statuses = {**tally.statuses, key: tally.statuses.get(key, 0) + 1}
        tally.save(update_fields=["count", "last_path", "statuses"])


def refusal_tallies_record(*, now: datetime | None = None) -> int:
    """One audit event per client and finished window, with its count. Safe to run twice or concurrently."""
    current = _window_start(now or timezone.now())
    recorded = 0
    while True:
        with transaction.atomic():
            qs = RefusalTally.objects.filter(recorded_at__isnull=True, window_start__lt=current).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            batch = list(qs[:200])
            if not batch:
                return recorded
            for tally in batch:
                audit_record(
                    actor=None,
                    actor_label="(anonymous)",
                    verb=Verb.ACCESS_REFUSED_ANONYMOUS,
                    ip_address=tally.client_ip or None,
                    changes={
                        "window_start": tally.window_start,
                        "window_minutes": settings.ANONYMOUS_REFUSAL_WINDOW_MINUTES,
                        "count": tally.count,
                        "statuses": tally.statuses,
                        "first_path": tally.first_path,
                        "last_path": tally.last_path,
                    },
                )
            RefusalTally.objects.filter(pk__in=[t.pk for t in batch]).update(recorded_at=timezone.now())
            recorded += len(batch)


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}; messages for no field go under non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


class _ConflictResponse(drf_exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: Django's ValidationError is a 400 too, a Conflict a 409, and refused writes
    are audited once."""
    if isinstance(exc, ValidationError):
        exc = drf_exceptions.ValidationError(validation_messages(exc))
    elif isinstance(exc, Conflict):
        exc = _ConflictResponse(exc.message)
    elif isinstance(exc, drf_exceptions.ValidationError) and isinstance(exc.detail, dict):
        # One shape for field errors, whoever raised them: each field with a list of messages.
        exc.detail = {name: value if isinstance(value, list | dict) else [value] for name, value in exc.detail.items()}
    original = exc
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    anonymous = request is not None and not getattr(request.user, "is_authenticated", False)
    audited = AUDITED_STATUSES + ((THROTTLED,) if anonymous else ())
    if response is not None and request is not None and response.status_code in audited:
        detail = getattr(exc, "detail", "") or str(exc)
        refusal_audit(request, status=response.status_code, reason=str(detail), exc=original)
    return response


class ValidationErrorMiddleware:
    """A ValidationError that reached no form becomes a 400 page that says what was wrong (never a 500)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Conflict):
            return render(request, "400.html", {"messages_400": [exception.message]}, status=409)
        if not isinstance(exception, ValidationError):
            return None
        messages = [m for ms in validation_messages(exception).values() for m in ms]
        return render(request, "400.html", {"messages_400": messages}, status=400)
