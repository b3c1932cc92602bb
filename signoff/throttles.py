"""How often one client may ask the public packet verification (page and API alike)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PacketVerifyThrottle(SimpleRateThrottle):
    """Per person when signed in, per address otherwise; the rate is settings' `packet_verify`.

    Works on a Django HttpRequest too, so the page and the API count against the same limit.
    """

    scope = "packet_verify"

    def get_rate(self) -> str | None:
        # Read when asked, not when DRF's settings were first loaded, so a changed setting applies at once.
        rates = dict(settings.REST_FRAMEWORK).get("DEFAULT_THROTTLE_RATES") or {}
        return rates.get(self.scope) if isinstance(rates, dict) else None

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
