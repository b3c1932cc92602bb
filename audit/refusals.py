"""Every refused write is audited, whether it came from a page or the API."""

from django.db import transaction
from django.http import HttpRequest

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def refusal_audit(request: HttpRequest, *, status: int, reason: str) -> None:
    if request.method in SAFE_METHODS:
        return
    from audit.services import Verb, audit_record

    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_label="" if actor else "(anonymous)",
            verb=Verb.ACCESS_REFUSED,
            changes={"method": request.method, "path": request.path[:300], "status": status, "reason": reason[:500]},
        )
