from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ApiToken, User
from audit.services import Verb, audit_record


class Command(BaseCommand):
    help = "Print a new API bearer token for USERNAME. Only its hash is stored: copy it now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'deploy pipeline'.")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        key = ApiToken.generate_key()
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key), key_prefix=key[:10])
            audit_record(
                actor=None,
                actor_label="manage.py",
                verb=Verb.TOKEN_ISSUED,
                obj=user,
                changes={"token": token.key_prefix, "name": name},
            )
        self.stdout.write(key)
