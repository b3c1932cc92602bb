"""OpenAPI: every refusal the API can answer is in the schema, with its body.

drf-spectacular documents what a view returns when all goes well. The refusals
come from one road (audit/refusals.py) and have two shapes: `{"detail": "…"}`
for 401, 403, 404, 405, 409, 415 and 429, and for 400 either that or field errors
`{"field": ["…"], …}` (nested the way the request body is). This hook adds them
to every operation that can answer them, without replacing what a view states
itself.
"""

from __future__ import annotations

from typing import Any

ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "Why, in words."}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each field that was refused, with its messages (non_field_errors for the rest).",
    "additionalProperties": {},
}
DESCRIPTIONS = {
    "400": "The input was refused: each problem named.",
    "401": "No valid credentials: sign in, or send `Authorization: Bearer <token>` with a live token.",
    "403": "Signed in, but not allowed to do this; the reason says why.",
    "404": "No such thing, or not one you may see.",
    "409": "Conflicts with what exists; the message says with what.",
    "415": "The body's media type is not accepted here.",
    "429": "Too many requests; try again after the number of seconds in Retry-After.",
}


def _error(code: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorDetail"] = ERROR_DETAIL
    components["FieldErrors"] = FIELD_ERRORS
    detail = {"$ref": "#/components/schemas/ErrorDetail"}
    bad_request = {"anyOf": [detail, {"$ref": "#/components/schemas/FieldErrors"}]}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            # 404 everywhere: a path's object, or one named in the body or query, may not exist or not be visible.
            codes = ["400", "401", "403", "404", "429"]
            if "requestBody" in operation:
                codes.append("415")
            if method in ("post", "put", "patch"):
                # An Idempotency-Key reused for another request, or still being processed (core/idempotency.py).
                codes.append("409")
            for code in codes:
                if code not in responses:
                    responses[code] = _error(code, bad_request if code == "400" else detail)
    return result
