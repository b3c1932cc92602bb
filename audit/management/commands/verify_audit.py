import sys

from django.core.management.base import BaseCommand

from audit.verify import audit_state, audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit chain from the first event: re-hash each event's canonical text, check each link and "
        "that the trail still holds as many events as it ever has. Exit 1 naming the first bad event."
    )

    def handle(self, *args, **options) -> None:
        chain_break = audit_verify()
        if chain_break is not None:
            where = f" (id {chain_break.event_id})" if chain_break.event_id is not None else ""
            self.stderr.write(f"Audit chain broken at event #{chain_break.seq}{where}: {chain_break.reason}")
            sys.exit(1)
        state = audit_state()
        self.stdout.write(f"Audit chain intact: {state.count} events, head #{state.head_seq} {state.head_hash}")
