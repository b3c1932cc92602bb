import re
import sys

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoints import CheckpointError, checkpoint_read
from audit.management.commands.audit_checkpoint import checkpoint_text
from audit.verify import ChainBreak, audit_cross_checks, audit_state, audit_verify, audit_verify_extends

HEAD = re.compile(r"^#?(\d+)[:\s]+([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "Walk the audit chain from the first event: re-hash each event's canonical text, check each link and "
        "that the trail still holds as many events as it ever has; then the records that other tables keep of "
        "the chain (each packet against its packet.rendered event). With --head SEQ:HASH (printed on a packet, "
        "say) or --against CHECKPOINT, also that the chain still holds that event with that hash. "
        "Exit 1 naming the first break."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--head", metavar="SEQ:HASH", help="An event the chain must still hold, e.g. 42:ab12...")
        parser.add_argument("--against", metavar="CHECKPOINT", help="A signed checkpoint (JSON, or a file of it).")

    def handle(self, *args, head: str | None, against: str | None, **options) -> None:
        chain_break = audit_verify()
        if chain_break is None and head is not None:
            match = HEAD.match(head.strip().lower())
            if match is None:
                raise CommandError("--head takes the event number and its hash: SEQ:HASH (64 hexadecimal characters).")
            chain_break = audit_verify_extends(seq=int(match[1]), hash=match[2])
        if chain_break is None and against is not None:
            try:
                checkpoint = checkpoint_read(checkpoint_text(against))
            except CheckpointError as exc:
                raise CommandError(f"Not a checkpoint signed with this portal's key: {exc}") from None
            chain_break = audit_verify_extends(seq=checkpoint.seq, hash=checkpoint.hash)
        if chain_break is None:
            chain_break = next(iter(audit_cross_checks()), None)
        if chain_break is not None:
            self._fail(chain_break)
        state = audit_state()
        self.stdout.write(f"Audit chain intact: {state.count} events, head #{state.head_seq} {state.head_hash}")

    def _fail(self, chain_break: ChainBreak) -> None:
        where = f" (id {chain_break.event_id})" if chain_break.event_id is not None else ""
        self.stderr.write(f"Audit chain broken at event #{chain_break.seq}{where}: {chain_break.reason}")
        sys.exit(1)
