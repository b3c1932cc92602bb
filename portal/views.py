from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.checkpoints import checkpoint_key_configured, public_key_pem
from audit.refusals import refusal_audit


@require_safe
def checkpoint_key(request: HttpRequest) -> HttpResponse:
    """The public key that checks the audit chain's signed checkpoints, for anyone (docs/audit-checkpoints.md)."""
    if not checkpoint_key_configured():
        raise Http404("This portal signs no checkpoints: no checkpoint key is configured.")
    response = HttpResponse(public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="stagegate-checkpoint-key.pem"'
    return response


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _for_the_api(request: HttpRequest) -> bool:
    # Under /api/ an answer is JSON, whoever gives it: a route that never reached DRF included.
    return request.path_info.startswith("/api/")


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else "You do not have permission to do that."
    refusal_audit(request, status=403, reason=reason, exc=exception)
    if _for_the_api(request):
        return JsonResponse({"detail": reason}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A write aimed at something the user may not see is a refused write too.
    refusal_audit(request, status=404, reason="Not found, or not visible to this user.", exc=exception)
    if _for_the_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {}, status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    if _for_the_api(request):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    return render(request, "500.html", {}, status=500)
