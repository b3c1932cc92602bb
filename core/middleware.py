"""Refuse, with a 400 naming the parameter, query strings no database can search for."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# C0 control characters and DEL: a NUL ends in a database error, the rest have no place in a search or a filter.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _bad_parameter(request: HttpRequest) -> str | None:
    for name, values in request.GET.lists():
        if CONTROL.search(name) or any(CONTROL.search(value) for value in values):
            return ascii(name)[1:-1]
    return None


class QueryStringMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = _bad_parameter(request)
        if name is None:
            return self.get_response(request)
        message = f"The parameter '{name}' contains a control character (such as NUL); remove it."
        if request.path_info.startswith("/api/"):
            return HttpResponseBadRequest(json.dumps({name: [message]}), content_type="application/json")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
