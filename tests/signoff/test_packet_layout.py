"""A packet an examiner reads: every script prints (no .notdef), nothing leaves the page, sections flow."""

import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from lifecycle.models import ArtifactKind
from signoff.models import Packet
from signoff.packets import packet_render
from signoff.packets.fonts import PACKET_FALLBACK_FAMILIES, PACKET_FONT_FAMILIES, missing_glyphs
from tests import factories
from tests.signoff.packet_builders import approved_request
from tests.signoff.test_packet_render import pdf_text

pytestmark = pytest.mark.django_db

TITLE = "客服工单摘要 ملخص تذاكر الدعم 🚀✅ Ωμέγα Привет"
LONG_NAME = "evaluation-report-" + "ä" * 80 + "-客服-" + "x" * 94 + ".pdf"


@pytest.fixture
def leads(rita, carl, lena):
    return {"risk": rita, "compliance": carl, "legal": lena}


def _outside_the_page(data: bytes) -> list[str]:
    """Text drawn outside its page's box (pypdf reports where each run of text starts)."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)

        def visit(text, cm, tm, font_dict, font_size, number=number, width=width, height=height):
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            if text.strip() and not (0 <= x <= width and 0 <= y <= height):
                found.append(f"page {number}: {text!r} at ({x:.0f}, {y:.0f})")

        page.extract_text(visitor_text=visit)
    return found


def test_a_title_in_chinese_arabic_and_emoji_with_a_long_file_name_prints_whole(
    erin, leads, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads=leads, title=TITLE, extra_artifacts=0)
    factories.ArtifactFactory(use_case=request.use_case, kind=ArtifactKind.OTHER, original_name=LONG_NAME)
    packet = Packet.objects.get(request=request)
    data = packet.file.read()

    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    used = {line.split()[0].split("+")[1] for line in fonts.splitlines()[2:]}
    # The emoji come from the colour emoji font by fontconfig's fallback, though the stylesheet never names it.
    assert {"Noto-Sans-CJK-SC", "Noto-Color-Emoji"} <= {name.split("-Bold")[0] for name in used}
    assert missing_glyphs(TITLE + LONG_NAME) == []
    text = pdf_text(data)
    assert "客服工单摘要" in text and "🚀" in text
    assert _outside_the_page(data) == []
    # Sections flow: no page but the last is left mostly empty by a section starting on a new page.
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert [n for n, page in enumerate(pages[:-1], start=1) if len(page) < 600] == []


def test_a_long_file_name_in_the_evidence_index_wraps_inside_the_page(erin, leads, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        request = approved_request(owner=erin, leads=leads)
    snapshot = dict(request.evidence_snapshot)
    snapshot["artifacts"] = [
        *snapshot["artifacts"],
        {"kind": "other", "name": LONG_NAME, "sha256": "a" * 64, "size": 1},
    ]
    type(request).objects.filter(pk=request.pk).update(evidence_snapshot=snapshot)
    request.refresh_from_db()
    data = packet_render(request=request).file.read()
    assert _outside_the_page(data) == []
    assert "客服" in pdf_text(data)


def test_a_character_no_packet_font_has_refuses_the_packet(erin, leads, django_capture_on_commit_callbacks):
    # U+E000 is private use: no font the packet uses has it, so it would print as an empty box.
    with django_capture_on_commit_callbacks(execute=False):
        request = approved_request(owner=erin, leads=leads, title="Private \ue000 glyph")
    with pytest.raises(ValidationError, match="no packet font can print U\\+E000"):
        packet_render(request=request)
    assert not Packet.objects.filter(request=request).exists()


def test_the_stylesheet_names_the_packet_fonts_in_order():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/packet.css")).read_text(encoding="utf-8")
    chain = ", ".join(f'"{family}"' for family in PACKET_FONT_FAMILIES if "Mono" not in family)
    assert f"font-family: {chain}, sans-serif;" in css
    assert all(f'"{family}"' not in css for family in PACKET_FALLBACK_FAMILIES)
