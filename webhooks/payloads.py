"""Small helpers for the callers that build event payloads (the registry, sign-off).

A payload says what happened and where to look: ids, slugs, stages, states, decisions, absolute links
and times. Never evidence contents, comments or reasons: the receiver may be a chat channel, and
anyone who needs more follows the link and signs in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings


def absolute_url(path: str) -> str:
    """A link a receiver can follow from outside the portal."""
    return f"{settings.SITE_URL}{path}"


def timestamp(at: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC, the form receivers parse without knowing our time zone."""
    return at.astimezone(UTC).isoformat() if at is not None else None
