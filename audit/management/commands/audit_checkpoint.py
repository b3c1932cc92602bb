import json
import sys

from django.core import signing
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_head

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
        event = AuditEvent.objects.filter(seq=checkpoint["seq"]).first()
        if event is None or event.hash != checkpoint["hash"]:
            self.stderr.write(
                f"The chain no longer holds event #{checkpoint['seq']} with hash {checkpoint['hash']} "
                f"(checkpoint of {checkpoint['at']}): the trail was rewritten or truncated."
            )
            sys.exit(1)
        self.stdout.write(json.dumps({"ok": True, **checkpoint}))
