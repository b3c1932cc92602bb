from django.conf import settings
from django.http import HttpRequest

from portal.audit_trail import audit_may_read


def portal(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    unread = 0
    may_read_audit = False
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
        may_read_audit = audit_may_read(user)
    # The navigation offers only what the user may open.
    return {"site_name": settings.SITE_NAME, "unread_notifications": unread, "may_read_audit": may_read_audit}
