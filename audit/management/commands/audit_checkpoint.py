import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.checkpoints import CheckpointError, checkpoint_read, checkpoint_sign, public_key_pem
from audit.services import audit_head
from audit.verify import audit_verify_extends


def checkpoint_text(value: str) -> str:
    """A checkpoint given as its text, or as the path of a file holding it."""
    value = value.strip()
    if value.startswith("{"):
        return value
    try:
        return Path(value).read_text().strip()
    except OSError as exc:
        raise CommandError(f"Cannot read the checkpoint {value}: {exc.strerror or exc}") from None


class Command(BaseCommand):
    help = (
        "Print a checkpoint of the audit chain's head signed with the Ed25519 key (AUDIT_CHECKPOINT_KEY), to keep "
        "outside the database; --verify CHECKPOINT checks the chain still holds that event with that hash; "
        "--public-key prints the key anyone can check checkpoints with."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--verify", metavar="CHECKPOINT", help="A checkpoint (its JSON, or a file holding it).")
        parser.add_argument("--public-key", action="store_true", help="Print the public key (PEM) and stop.")

    def handle(self, *args, verify: str | None, public_key: bool, **options) -> None:
        if public_key:
            self.stdout.write(public_key_pem().decode(), ending="")
            return
        if verify is None:
            head = audit_head()
            self.stdout.write(checkpoint_sign(seq=head.seq, hash=head.hash, at=timezone.now()))
            return
        try:
            checkpoint = checkpoint_read(checkpoint_text(verify))
        except CheckpointError as exc:
            raise CommandError(f"Not a checkpoint signed with this portal's key: {exc}") from None
        chain_break = audit_verify_extends(seq=checkpoint.seq, hash=checkpoint.hash)
        if chain_break is not None:
            self.stderr.write(
                f"The chain does not extend the checkpoint of event #{checkpoint.seq} ({checkpoint.at}): "
                f"{chain_break.reason}; the trail was rewritten or truncated."
            )
            sys.exit(1)
        self.stdout.write(json.dumps({"ok": True, "seq": checkpoint.seq, "hash": checkpoint.hash, "at": checkpoint.at}))
