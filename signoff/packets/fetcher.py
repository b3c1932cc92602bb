"""What WeasyPrint may fetch while rendering a packet: the project's own static files, nothing else.

A packet that pulled a stylesheet or image from the network (or from
file:///etc/...) would neither be reproducible nor safe, since parts of it are
user-supplied text.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The packet's HTML is rendered against this base URL so that relative and
# /static/ references resolve to something the fetcher can recognise. The
# .invalid TLD (RFC 2606) can never resolve, should anything slip through.
PACKET_BASE_URL = "https://packet.stagegate.invalid/"
# Static files are named by their source path under this prefix, not with {% static %}: in production
# the static storage hashes names (and STATIC_URL may point to a CDN), and neither may change a packet.
PACKET_STATIC_URL = PACKET_BASE_URL + "static/"
PACKET_STYLESHEET = "css/packet.css"
PACKET_TEMPLATE = "signoff/packet.html"
PDF_VARIANT = "pdf/a-3b"
PDF_MAGIC = b"%PDF-"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class PacketFetchRefused(ValueError):
    """A resource outside the project's static files was asked for; it is not fetched."""


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files to WeasyPrint and refuses everything else.

    WeasyPrint catches the refusal, logs it and renders without the resource,
    so a hostile URL in user text (were it ever to escape autoescaping) or in a
    template costs an image, never a request.
    """

    def __init__(self) -> None:
        super().__init__(fail_on_errors=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = static_path_for(url)
        if path is None:
            self.refused.append(url)
            raise PacketFetchRefused(f"Packets may only use the portal's own static files, not {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_path_for(url: str) -> Path | None:
    """The file under the static directories that `url` names, or None if it names anything else."""
    if not url.startswith(PACKET_STATIC_URL):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    relative = unquote(url[len(PACKET_STATIC_URL) :])
    segments = relative.split("/")
    if not relative or any(s in ("", ".", "..") for s in segments) or "\\" in relative or "\x00" in relative:
        return None
    found = finders.find(relative)
    if not found or isinstance(found, list):
        return None
    path = Path(found).resolve()
    # The finders already join safely; check the result is really under a static root all the same.
    roots = [Path(r).resolve() for r in _static_roots()]
    if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
        return None
    return path


def _static_roots() -> list[str]:
    roots = [str(d[1] if isinstance(d, tuple | list) else d) for d in settings.STATICFILES_DIRS]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(str(location))
    return roots
