"""Rendering the sign-off packet: on approval, once, faithful, reproducible, and fetching nothing from outside."""

import gc
import hashlib
import subprocess
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Packet, RequestState
from signoff.packets import (
    PACKET_BASE_URL,
    PACKET_STATIC_URL,
    StaticOnlyFetcher,
    packet_context,
    packet_document,
    packet_id_for,
    packet_render,
    pdf_render,
    static_path_for,
)
from signoff.packets.render import cycle_collector_held
from signoff.tasks import render_missing_packets, render_packet
from tests import factories
from tests.broker import on_real_services, wait_for
from tests.signoff.packet_builders import approved_request

pytestmark = pytest.mark.django_db

# Transactional tests flush the database and restore it from a serialized copy; on SQLite that fails
# in setup, before the `postgres` marker's skip could run, so decide at collection time as well.


def pdf_text(data: bytes) -> str:
    """The PDF's text in reading order, whitespace collapsed (table cells wrap)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def pdf_pages(data: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    line = next(line for line in result.stdout.decode().splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


@pytest.fixture
def leads(rita, carl, lena):
    return {"risk": rita, "compliance": carl, "legal": lena}


@pytest.fixture
def approved(erin, leads, django_capture_on_commit_callbacks):
    """Approved through the sign-off services; the packet task runs on commit, as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads=leads, conditions_owner=erin)
    return request


def test_approval_renders_a_packet_with_every_reviewer_artifact_hash_and_the_head(approved, leads):
    assert approved.state == RequestState.APPROVED
    packet = Packet.objects.get(request=approved)
    data = packet.file.read()
    assert hashlib.sha256(data).hexdigest() == packet.sha256
    assert len(data) == packet.size
    assert pdf_pages(data) == packet.page_count
    assert packet.packet_id == f"SG-{approved.decided_at.year}-{approved.pk:06d}"

    text = pdf_text(data)
    approval_event = AuditEvent.objects.get(request_id=approved.pk, verb=Verb.REQUEST_APPROVED)
    assert (packet.audit_head_seq, packet.audit_head_hash) == (approval_event.seq, approval_event.hash)
    # A hash may wrap at the edge of its column; it is printed whole all the same.
    assert approval_event.hash in text.replace(" ", "")
    for user in leads.values():
        assert f"({user.username})" in text
    artifacts = approved.evidence_snapshot["artifacts"]
    assert len(artifacts) == 5
    for artifact in artifacts:
        assert artifact["sha256"] in text.replace(" ", "")
    assert "Weekly drift report for the first quarter" in text
    assert "Support ticket summaries" in text and packet.packet_id in text
    assert f"page 1 of {packet.page_count}" in text
    # Questionnaire answers with their rationale, and the crosswalk for the evidence given.
    assert "Used by agents in the EU." in text
    assert "Implementation controls, change control" in text and "Art. 14(4)(d)" in text
    assert "A.6.2.5" in text and "MANAGE 2.3" in text

    rendered = AuditEvent.objects.get(verb=Verb.PACKET_RENDERED)
    assert rendered.request_id == approved.pk
    assert rendered.changes["sha256"] == packet.sha256


def test_the_packet_is_pdf_a_3b_with_embedded_debian_fonts(approved):
    from io import BytesIO

    from pypdf import PdfReader

    data = Packet.objects.get(request=approved).file.read()
    metadata = PdfReader(BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="B"' in metadata
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    # Columns: name (subset tag + font), type (two words), encoding, embedded, subset, unicode, object id.
    fonts_used = sorted((row[0].split("+")[1], row[-5], row[-4], row[-3]) for row in font_rows)
    assert {"DejaVu-Sans", "DejaVu-Sans-Bold", "DejaVu-Sans-Mono"} <= {name for name, *_ in fonts_used}
    # Every font is one of the packet's Debian families, embedded and subset, with a Unicode map.
    assert all(name.startswith(("DejaVu-Sans", "Noto-")) for name, *_ in fonts_used)
    # Digits and spaces print from DejaVu, as text: none is drawn as a colour emoji bitmap.
    assert "Noto-Color-Emoji" not in {name for name, *_ in fonts_used}
    assert {tuple(flags) for _, *flags in fonts_used} == {("yes", "yes", "yes")}


def test_the_same_request_renders_to_the_same_bytes(approved, audrey):
    packet = Packet.objects.get(request=approved)
    stored = packet.file.read()
    # Events after the approval (the rendering itself, a download) must not change the packet.
    from signoff.packets import packet_download_record

    packet_download_record(packet=packet, actor=audrey)
    first = packet_document(request=approved)
    second = packet_document(request=approved)
    assert first.data == second.data == stored
    assert first.page_count == packet.page_count


def test_the_server_time_zone_does_not_change_the_bytes(approved, settings):
    stored = Packet.objects.get(request=approved).file.read()
    settings.TIME_ZONE = "America/New_York"
    assert packet_document(request=approved).data == stored


def _html(request):
    from django.template.loader import render_to_string

    from signoff.packets import PACKET_TEMPLATE

    return render_to_string(PACKET_TEMPLATE, packet_context(request=request).as_template_context())


def test_rendering_again_returns_the_stored_packet_and_renders_nothing(approved):
    packet = Packet.objects.get(request=approved)
    assert render_packet.delay(approved.pk).get() == packet.packet_id
    assert packet_render(request=approved).pk == packet.pk
    assert Packet.objects.count() == 1
    assert AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED).count() == 1


def test_a_request_that_is_not_approved_gets_no_packet(erin):
    use_case = factories.UseCaseFactory(technical_owner=erin)
    version = factories.ModelVersionFactory(use_case=use_case)
    from signoff.models import ReadinessRequest

    request = ReadinessRequest.objects.create(
        use_case=use_case, version=version, from_stage=0, target_stage=1, submitted_by=erin
    )
    with pytest.raises(ValidationError, match="Only approved requests"):
        packet_render(request=request)
    assert not Packet.objects.exists()
    assert not AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED).exists()


def test_user_text_is_escaped_and_cannot_fetch(erin, leads, django_capture_on_commit_callbacks):
    hostile = 'Summaries <img src="file:///etc/passwd"> <link rel="stylesheet" href="http://example.com/x.css"> & more'
    with django_capture_on_commit_callbacks(execute=True):
        request = approved_request(owner=erin, leads=leads, purpose=hostile)
    context = packet_context(request=request)
    rendered = pdf_render(html=_html(request))
    assert rendered.refused == ()
    text = pdf_text(rendered.data)
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text
    assert context.packet_id == packet_id_for(request)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://packet.stagegate.invalid.example.com/static/css/packet.css",
        "file:///etc/passwd",
        f"{PACKET_BASE_URL}static/../../../../etc/passwd",
        f"{PACKET_BASE_URL}static/%2e%2e/%2e%2e/etc/passwd",
        f"{PACKET_BASE_URL}etc/passwd",
        f"{PACKET_BASE_URL}static/css/packet.css?x=1",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(ValueError, match="only use the portal's own static files"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert static_path_for(url) is None


def test_the_fetcher_serves_the_packet_stylesheet():
    fetcher = StaticOnlyFetcher()
    response = fetcher.fetch(f"{PACKET_BASE_URL}static/css/packet.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"


def test_a_template_pointing_outside_renders_without_fetching(socket_guard):
    html = (
        '<html><head><link rel="stylesheet" href="http://example.com/evil.css">'
        f'<link rel="stylesheet" href="{PACKET_STATIC_URL}css/packet.css"></head>'
        '<body><p>x</p><img src="file:///etc/passwd"><img src="https://example.com/pixel.png"></body></html>'
    )
    rendered = pdf_render(html=html)
    assert set(rendered.refused) == {
        "http://example.com/evil.css",
        "file:///etc/passwd",
        "https://example.com/pixel.png",
    }
    assert socket_guard == []
    assert rendered.data.startswith(b"%PDF-")


@pytest.mark.parametrize("enabled_before", [True, False])
def test_a_render_leaves_the_cycle_collector_as_it_found_it(enabled_before):
    """The collector is held during a render (render.py); afterwards, and after a render that fails, it is as before."""
    (gc.enable if enabled_before else gc.disable)()
    try:
        pdf_render(html="<html><body><p>x</p></body></html>")
        assert gc.isenabled() is enabled_before
        with pytest.raises(TypeError):
            pdf_render(html=None)
        assert gc.isenabled() is enabled_before
    finally:
        gc.enable()


def test_overlapping_renders_share_one_hold_and_the_last_out_gives_it_back():
    """Renders in two threads overlap: the first to finish must not restart the collector under the other."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with cycle_collector_held():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with cycle_collector_held():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = gc.isenabled()
        seen["after both left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after the first left": False, "after both left": True}


@pytest.fixture
def socket_guard(monkeypatch):
    """Records (and blocks) any network connection: the renderer must never open one."""
    import socket

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_store_one_packet(erin, leads):
    request = approved_request(owner=erin, leads=leads)
    # The approval's on-commit render already ran (real commits, eager tasks); start over from no packet.
    for packet in Packet.objects.filter(request=request):
        packet.file.delete(save=False)
        packet.delete()
    rendered_before = AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED).count()
    results, errors = [], []

    def render_in_a_thread():
        try:
            results.append(packet_render(request=request).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=render_in_a_thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Packet.objects.count() == 1
    assert AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED).count() == rendered_before + 1


def test_the_task_ignores_a_request_that_does_not_exist(db):
    assert render_packet.delay(424242).get() is None
    assert not Packet.objects.exists()


def test_without_a_stored_gate_result_the_packet_evaluates_the_gate(approved):
    from signoff.models import ReadinessRequest

    ReadinessRequest.objects.filter(pk=approved.pk).update(approval_gate_result={})
    context = packet_context(request=approved)
    assert context.gate_from_snapshot is False
    assert sorted(r["key"] for r in context.gate["requirements"]) == [
        "classification.final",
        "classification.not_prohibited",
        "classification.present",
        "evaluation.thresholds",
        "evidence.communication_plan",
        "evidence.data_lineage",
        "evidence.evaluation_report",
        "evidence.observability_plan",
        "evidence.rollback_test",
        "readiness.business_kpi",
        "readiness.compliance_accounted",
        "readiness.controls_designed",
        "readiness.evaluation_rules",
        "readiness.named_owner",
        "readiness.representative_data",
        "readiness.workflow_integration",
        "registry.approved_scope",
        "registry.business_kpi",
        "registry.business_owner",
        "registry.purpose",
        "registry.sunset_criteria",
        "registry.technical_owner",
        "signoff.compliance",
        "signoff.legal",
        "signoff.risk",
        "stage.next",
        "version.present",
    ]
    # Evaluated now, after the promotion, it all still holds: a request at the stage the use case is at may be
    # asked too (a new version, or the periodic review).
    assert [r["key"] for r in context.gate["requirements"] if not r["met"]] == []


def test_an_approval_without_its_event_falls_back_to_the_chain_up_to_the_decision(erin):
    from signoff.models import ReadinessRequest

    use_case = factories.UseCaseFactory(technical_owner=erin)
    version = factories.ModelVersionFactory(use_case=use_case)
    before = AuditEvent.objects.order_by("-seq").first()
    request = ReadinessRequest.objects.create(
        use_case=use_case,
        version=version,
        from_stage=0,
        target_stage=1,
        submitted_by=erin,
        state=RequestState.APPROVED,
        decided_at=before.created_at,
    )
    point = packet_context(request=request).chain
    assert (point.seq, point.hash) == (before.seq, before.hash)


@on_real_services
@pytest.mark.usefixtures("worker")
def test_a_real_worker_renders_the_packet_after_approval(erin, leads):
    request = approved_request(owner=erin, leads=leads)
    wait_for(lambda: Packet.objects.filter(request=request).exists(), timeout=120)
    packet = Packet.objects.get(request=request)
    assert hashlib.sha256(packet.file.read()).hexdigest() == packet.sha256
    assert AuditEvent.objects.filter(verb=Verb.PACKET_RENDERED, request_id=request.pk).count() == 1


def test_the_registry_entry_is_printed_as_approved_not_as_edited_since(approved):
    from lifecycle.models import UseCase

    stored = Packet.objects.get(request=approved).file.read()
    UseCase.objects.filter(pk=approved.use_case_id).update(purpose="Rewritten after the approval.")
    rerendered = packet_document(request=approved)
    assert rerendered.data == stored
    assert "Rewritten after the approval." not in pdf_text(rerendered.data)


def test_the_catch_up_renders_approvals_whose_render_never_ran(erin, leads):
    # Without capturing on-commit callbacks the approval's own render is never queued,
    # as when the broker was down at the moment of approval.
    request = approved_request(owner=erin, leads=leads)
    assert not Packet.objects.filter(request=request).exists()

    assert render_missing_packets() == 1

    packet = Packet.objects.get(request=request)
    assert packet.sha256 == hashlib.sha256(packet.file.read()).hexdigest()
    assert render_missing_packets() == 0
