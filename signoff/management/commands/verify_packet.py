"""Check a PDF against the packets the portal issued.

Exit status 0 only for an unaltered packet whose stored copy still matches;
1 for a file the portal did not issue (or one altered since), or a stored copy
that no longer matches; 2 for a file that cannot be read or is not a PDF.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from signoff.packets import packet_verify


class Command(BaseCommand):
    help = "Verify a sign-off packet file: was it issued by this portal, and is it unaltered?"

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to the PDF file to check.")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}", returncode=2) from None
        try:
            verification = packet_verify(data=data)
        except ValidationError as exc:
            raise CommandError(f"{file}: {' '.join(exc.messages)}", returncode=2) from None

        self.stdout.write(f"SHA-256 {verification.sha256}")
        packet = verification.packet
        for reason in verification.reasons:
            self.stdout.write(reason)
        if packet is None:
            raise CommandError(f"{file} is not a packet this portal issued.", returncode=1)
        request = packet.request
        self.stdout.write(
            f"Packet {packet.packet_id}: readiness request #{request.pk} for {request.use_case.slug}, "
            f"stage {request.from_stage} → {request.target_stage}, approved {_local(request.decided_at)}, "
            f"issued {_local(packet.created_at)}; audit chain head at approval #{packet.audit_head_seq} "
            f"{packet.audit_head_hash}."
        )
        if not verification.ok:
            raise CommandError(f"{file} is not genuine ({verification.verdict}).", returncode=1)
        if not verification.stored_file_intact:
            raise CommandError(
                f"The portal issued {packet.packet_id}, but its stored copy ({packet.file.name}) is missing or "
                "is not the file the audit chain records as issued.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"OK: {file} is packet {packet.packet_id}, unaltered."))


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M %Z}" if moment else "—"
