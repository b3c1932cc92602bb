from rest_framework.views import exception_handler as drf_exception_handler

from audit.refusals import refusal_audit


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    request = context.get("request")
    if response is not None and request is not None and response.status_code in (401, 403, 404):
        detail = getattr(exc, "detail", "")
        refusal_audit(request, status=response.status_code, reason=str(detail))
    return response
