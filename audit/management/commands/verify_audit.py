import sys

from django.core.management.base import BaseCommand

from audit.models import AuditEvent
from audit.services import audit_head, audit_verify


class Command(BaseCommand):
    help = "Walk the audit chain from the first event; exit 1 naming the first bad event."

    def handle(self, *args, **options) -> None:
        chain_break = audit_verify()
        if chain_break is not None:
            self.stderr.write(
                f"Audit chain broken at event #{chain_break.seq} (id {chain_break.event_id}): {chain_break.reason}"
            )
            sys.exit(1)
        head = audit_head()
        count = AuditEvent.objects.count()
        self.stdout.write(f"Audit chain intact: {count} events, head #{head.seq} {head.hash}")
