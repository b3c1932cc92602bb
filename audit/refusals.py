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

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit.services import Verb, audit_record

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
AUDITED_STATUSES = (401, 403, 404)


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
    """Record one refused write (reads are not refusals worth a permanent row)."""
    if request.method in SAFE_METHODS:
        return
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    target: dict[str, Any] = {}
    if isinstance(exc, Refused):
        target = {"obj": exc.obj, "use_case_id": exc.use_case_id, "request_id": exc.request_id}
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_label="" if actor else "(anonymous)",
            verb=Verb.ACCESS_REFUSED,
            changes={"method": request.method, "path": request.path[:300], "status": status, "reason": reason[:500]},
            **target,
        )


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]}; messages for no field go under non_field_errors."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler: Django's ValidationError is a 400 too, and refused writes are audited once."""
    if isinstance(exc, ValidationError):
        exc = drf_exceptions.ValidationError(validation_messages(exc))
    original = exc
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None and response.status_code in AUDITED_STATUSES:
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
        if not isinstance(exception, ValidationError):
            return None
        messages = [m for ms in validation_messages(exception).values() for m in ms]
        return render(request, "400.html", {"messages_400": messages}, status=400)
