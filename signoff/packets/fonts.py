"""The packet's fonts, and the check that every character it prints has a glyph in one of them.

A character no font has prints as an empty box (.notdef): a title in Chinese
would come out as a row of boxes, and the document would no longer be valid
PDF/A. The stylesheet (static/css/packet.css) names PACKET_FONT_FAMILIES in
this order; emoji print from Noto Color Emoji, which fontconfig falls back to
and the stylesheet never names (named, it also draws digits and spaces, as
bitmaps). All come from Debian packages (fonts-dejavu-core, fonts-noto-core,
fonts-noto-cjk, fonts-noto-color-emoji) that .ci/run and the README install.
Before a packet is issued, `missing_glyphs` lists what the text holds that none
of them covers, and rendering refuses such a packet rather than print boxes.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import unicodedata

PACKET_FONT_FAMILIES = (
    "DejaVu Sans",
    "DejaVu Sans Mono",
    "Noto Sans",
    "Noto Sans CJK SC",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
)
# Reached by fontconfig's fallback for the characters no named family has.
PACKET_FALLBACK_FAMILIES = ("Noto Color Emoji",)
# Characters that select or join glyphs rather than print one of their own.
_NOT_PRINTED = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}
_TAG = re.compile(r"<[^>]*>")


@functools.cache
def _font_files() -> dict[str, list[tuple[str, int]]]:
    """Family → (file, index in a collection) from fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return {}
    listing = subprocess.run(  # noqa: S603 - fontconfig's own listing, fixed arguments
        [fc_list, "--format", "%{family[0]}|%{file}|%{index}\n"], capture_output=True, text=True, check=True
    ).stdout
    files: dict[str, list[tuple[str, int]]] = {}
    for line in listing.splitlines():
        family, path, index = line.rsplit("|", 2)
        files.setdefault(family, []).append((path, int(index or 0)))
    return files


@functools.cache
def covered_code_points() -> frozenset[int]:
    """Every code point some packet font has a glyph for."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    files = _font_files()
    for family in (*PACKET_FONT_FAMILIES, *PACKET_FALLBACK_FAMILIES):
        for path, index in files.get(family, []):
            font = TTFont(path, fontNumber=index, lazy=True)
            points.update(font.getBestCmap() or {})
            font.close()
    return frozenset(points)


def missing_glyphs(markup: str) -> list[str]:
    """The characters of the packet's text that no packet font can print, in order of first appearance."""
    text = html.unescape(_TAG.sub(" ", markup))
    covered = covered_code_points()
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) in covered or unicodedata.category(char) in _NOT_PRINTED:
            continue
        if 0xFE00 <= ord(char) <= 0xFE0F or 0x1F3FB <= ord(char) <= 0x1F3FF:
            continue
        missing[char] = None
    return list(missing)
