"""Sign-off packets: the PDF that proves who approved what, on which evidence, when.

fetcher.py   what rendering may fetch (our static files only)
context.py   what the packet says, as of the approval
render.py    rendering and storing it, once, reproducibly
signing.py   the signature appended to the document: key, certificate, timestamp
signature.py a file's revisions, and whether its signature holds
verify.py    is this file a packet we issued, unaltered? (against the audit chain)
access.py    who sees which packets; downloads and verifications on the record
"""

from signoff.packets.access import (
    get_packet_for_user,
    packet_download_bytes,
    packet_download_record,
    packet_verify_record,
    packets_for_list,
    packets_visible_to,
)
from signoff.packets.context import PacketContext, approval_chain_point, packet_context, packet_id_for
from signoff.packets.fetcher import (
    PACKET_BASE_URL,
    PACKET_STATIC_URL,
    PACKET_STYLESHEET,
    PACKET_TEMPLATE,
    StaticOnlyFetcher,
    static_path_for,
)
from signoff.packets.render import RenderedPdf, packet_document, packet_html, packet_render, pdf_render
from signoff.packets.verify import (
    Verdict,
    Verification,
    packet_expected,
    packet_file_intact,
    packet_verify,
    pdf_bytes_clean,
    sha256_clean,
    verification_public,
)

__all__ = [
    "PACKET_BASE_URL",
    "PACKET_STATIC_URL",
    "PACKET_STYLESHEET",
    "PACKET_TEMPLATE",
    "PacketContext",
    "RenderedPdf",
    "StaticOnlyFetcher",
    "Verdict",
    "Verification",
    "approval_chain_point",
    "get_packet_for_user",
    "packet_context",
    "packet_document",
    "packet_download_bytes",
    "packet_download_record",
    "packet_expected",
    "packet_file_intact",
    "packet_html",
    "packet_id_for",
    "packet_render",
    "packet_verify",
    "packet_verify_record",
    "packets_for_list",
    "packets_visible_to",
    "pdf_bytes_clean",
    "pdf_render",
    "sha256_clean",
    "static_path_for",
    "verification_public",
]
