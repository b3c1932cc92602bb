"""Idempotency-Key for API writes: a pipeline's retry gets the first answer back and changes nothing.

A `POST` (or `PUT`/`PATCH`) under /api/ with an `Idempotency-Key` header is
recorded before it runs, keyed by who sent it (the bearer token's hash, or the
signed-in user) and the key. A repeat with the same method, path and body
gets the stored status and body, marked `Idempotent-Replayed: true`; the same
key with a different request is a 409; a repeat while the first is still
running is a 409 too (retry shortly). Answers of 5xx, and refusals of the
caller itself (401), are not kept, so a retry after those runs again. Keys are
kept for IDEMPOTENCY_KEEP_HOURS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.models import IdempotentRequest

HEADER = "Idempotency-Key"
WRITE_METHODS = ("POST", "PUT", "PATCH")
MAX_KEY_LENGTH = 200
NOT_KEPT = (401,)


def _principal(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return hashlib.sha256(authorization.encode()).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return hashlib.sha256(f"session-user:{user.pk}".encode()).hexdigest()
    return None


def _fingerprint(request: HttpRequest) -> str:
    """What makes a retry the same request: method, path and body.

    A multipart body is compared by its fields and its files' names, sizes and contents, not its bytes: a
    client builds a new boundary for each attempt, so the same upload never has the same bytes twice.
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method}\0{request.get_full_path()}\0".encode())
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps([name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                content = hashlib.sha256()
                for chunk in upload.chunks():
                    content.update(chunk)
                upload.seek(0)
                digest.update(json.dumps([name, upload.name, upload.size, content.hexdigest()]).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _json(status: int, detail: str) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": detail}), status=status, content_type="application/json")


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in WRITE_METHODS or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _json(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.")
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        keep = timedelta(hours=settings.IDEMPOTENCY_KEEP_HOURS)
        IdempotentRequest.objects.filter(principal=principal, created_at__lt=timezone.now() - keep).delete()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(principal=principal, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return self._repeat(principal, key, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            IdempotentRequest.objects.filter(pk=record.pk).delete()
            return response
        IdempotentRequest.objects.filter(pk=record.pk).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
            location=response.get("Location", "")[:500],
        )
        return response

    def _repeat(self, principal: str, key: str, fingerprint: str) -> HttpResponse:
        record = IdempotentRequest.objects.filter(principal=principal, key=key).first()
        if record is None:
            return _json(409, f"A request with this {HEADER} has just finished failing; send it again.")
        if record.fingerprint != fingerprint:
            return _json(409, f"This {HEADER} was used for a different request; use a new key for a new request.")
        if record.status is None:
            return _json(409, f"A request with this {HEADER} is still being processed; retry in a moment.")
        response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
        if record.location:
            response["Location"] = record.location
        response["Idempotent-Replayed"] = "true"
        return response
