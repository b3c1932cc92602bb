from django.core.management.base import BaseCommand

from portal.demo import demo_keys_make


class Command(BaseCommand):
    help = (
        "Create the demo's keys where settings point and nothing is there yet: a self-signed certificate "
        "for signing packets (PACKET_SIGNING_KEY, PACKET_SIGNING_CERT) and the Ed25519 key that signs audit "
        "checkpoints (AUDIT_CHECKPOINT_KEY). For a demonstration only: production keys come from your PKI."
    )

    def handle(self, *args, **options) -> None:
        for line in demo_keys_make():
            self.stdout.write(line)
