"""Signed packets: PAdES by pyHanko over the reproducible document, timestamped by a real authority."""

import hashlib
import io
import subprocess
from datetime import timedelta

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from audit.models import AuditEvent
from audit.services import Verb
from signoff.models import Packet
from signoff.packets import packet_document
from signoff.packets.signature import revision_ends, signature_check
from signoff.packets.signing import self_signed_certificate_write
from tests.signoff.packet_builders import approved_request
from tests.signoff.test_packet_render import pdf_text

pytestmark = pytest.mark.django_db


def _certificate(path) -> asn1_x509.Certificate:
    data = path.read_bytes()
    return asn1_x509.Certificate.load(pem.unarmor(data)[2])


@pytest.fixture
def leads(rita, carl, lena):
    return {"risk": rita, "compliance": carl, "legal": lena}


def _approved(erin, leads, capture):
    with capture(execute=True):
        request = approved_request(owner=erin, leads=leads)
    return request, Packet.objects.get(request=request)


def qpdf_check(data: bytes, directory) -> int:
    path = directory / "packet.pdf"
    path.write_bytes(data)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode


def test_a_signed_packet_is_the_reproducible_document_followed_by_a_valid_signature(
    signing, tmp_path, erin, leads, django_capture_on_commit_callbacks
):
    request, packet = _approved(erin, leads, django_capture_on_commit_callbacks)
    data = packet.file.read()
    assert hashlib.sha256(data).hexdigest() == packet.sha256 and len(data) == packet.size
    unsigned = data[: packet.unsigned_size]
    assert hashlib.sha256(unsigned).hexdigest() == packet.unsigned_sha256 != packet.sha256
    assert revision_ends(data) == [packet.unsigned_size, packet.size]
    # The first revision re-renders to the same bytes from the same inputs.
    assert packet_document(request=request, signing=packet.signer).data == unsigned

    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[_certificate(signing[1])], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Stagegate test packets"
    assert packet.signer["self_signed"] is True and packet.timestamped_at is None

    # Compared without spaces: the cell may wrap the sentence at any space or after the hyphen.
    text = pdf_text(data).replace(" ", "")
    assert "Demonstration:thiscertificateisself-signed." in text
    assert packet.signer["fingerprint"] in text
    assert qpdf_check(data, tmp_path) == 0

    event = AuditEvent.objects.get(verb=Verb.PACKET_RENDERED)
    assert event.changes["sha256"] == packet.sha256
    assert event.changes["unsigned_sha256"] == packet.unsigned_sha256
    assert event.changes["unsigned_size"] == packet.unsigned_size
    assert event.changes["signer_fingerprint"] == packet.signer["fingerprint"]


def test_a_packet_is_timestamped_by_the_configured_authority_and_validates_to_the_pki_root(
    timestamped_signing, tmp_path, erin, leads, django_capture_on_commit_callbacks
):
    before = timezone.now() - timedelta(seconds=5)
    _request, packet = _approved(erin, leads, django_capture_on_commit_callbacks)
    data = packet.file.read()
    assert packet.timestamped_at is not None and before <= packet.timestamped_at <= timezone.now()
    assert packet.signer["self_signed"] is False

    # pyHanko's validator, trusting certomancer's root and nothing else, offline.
    root = _certificate(timestamped_signing.root)
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    status = validate_pdf_signature(signature, context, ts_validation_context=context)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "Stagegate test packets"
    assert status.signing_cert.issuer == root.subject
    timestamp = status.timestamp_validity
    assert timestamp is not None and (timestamp.intact, timestamp.valid, timestamp.trusted) == (True, True, True)
    assert timestamp.timestamp == packet.timestamped_at
    assert timestamp.signing_cert.subject.native["common_name"] == "Stagegate Test Timestamp Authority"
    assert timestamp.signing_cert.issuer == root.subject
    # Another root is no substitute: the chain is checked, not only the arithmetic.
    stranger = ValidationContext(trust_roots=[_certificate(_self_signed(tmp_path))], allow_fetching=False)
    assert validate_pdf_signature(signature, stranger).trusted is False

    found = signature_check(data)
    assert found.ok, found.problem
    assert found.timestamp_authority == (
        "Common Name: Stagegate Test Timestamp Authority, Organization: Stagegate Test PKI, Country: BE"
    )
    assert found.timestamped_at == packet.timestamped_at and found.timestamp_trusted
    assert timestamped_signing.tsa_url.replace(" ", "") in pdf_text(data).replace(" ", "")  # cells wrap at any space
    assert "self-signed" not in pdf_text(data)
    assert qpdf_check(data, tmp_path) == 0

    (tmp_path / "packet.pdf").write_bytes(data)
    pdfsig = subprocess.run(["pdfsig", "-nocert", str(tmp_path / "packet.pdf")], capture_output=True)
    report = pdfsig.stdout.decode()
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report


def _self_signed(directory):
    key, cert = directory / "other-key.pem", directory / "other-cert.pem"
    self_signed_certificate_write(key_path=key, cert_path=cert, common_name="Stagegate Test Root CA")
    return cert


def test_an_unconfigured_portal_issues_the_document_unsigned_and_says_so(
    erin, leads, django_capture_on_commit_callbacks
):
    _request, packet = _approved(erin, leads, django_capture_on_commit_callbacks)
    data = packet.file.read()
    assert packet.sha256 == packet.unsigned_sha256 and packet.signer == {}
    assert signature_check(data).present is False
    assert "Notsigned:thisportalhasnosigningkeyconfigured." in pdf_text(data).replace(" ", "")
