import json
import sys

from django.core import signing
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.services import audit_head
from audit.verify import audit_verify_extends

SALT = "stagegate.audit-checkpoint"


class Command(BaseCommand):
    help = (
        "Print a signed checkpoint of the audit chain's head, to keep outside the database; "
        "with --verify CHECKPOINT, check that the chain still holds that event with that hash."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--verify", metavar="CHECKPOINT", help="A checkpoint this command printed earlier.")

    def handle(self, *args, verify: str | None, **options) -> None:
        if verify is None:
            head = audit_head()
            checkpoint = {"seq": head.seq, "hash": head.hash, "at": timezone.now().isoformat(timespec="seconds")}
            self.stdout.write(signing.dumps(checkpoint, salt=SALT))
            return
        try:
            checkpoint = signing.loads(verify.strip(), salt=SALT)
        except signing.BadSignature:
            raise CommandError("Not a checkpoint signed by this portal (bad signature).") from None
        chain_break = audit_verify_extends(seq=checkpoint["seq"], hash=checkpoint["hash"])
        if chain_break is not None:
            self.stderr.write(
                f"The chain does not extend the checkpoint of event #{checkpoint['seq']} ({checkpoint['at']}): "
                f"{chain_break.reason}; the trail was rewritten or truncated."
            )
            sys.exit(1)
        self.stdout.write(json.dumps({"ok": True, **checkpoint}))
