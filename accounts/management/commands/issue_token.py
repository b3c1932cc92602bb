from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import MACHINE_SCOPES, ApiToken, TokenScope, User
from accounts.roles import Role
from audit.services import Verb, audit_record


class Command(BaseCommand):
    help = (
        "Print a new API bearer token for USERNAME. Only its hash is stored: copy it now. "
        "With --service-account, USERNAME is a pipeline's account, created if need be and owned by --owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'deploy pipeline'.")
        parser.add_argument(
            "--scope",
            default=",".join(MACHINE_SCOPES),
            help=f"Comma-separated, some of: {', '.join(TokenScope.values)} (default: {','.join(MACHINE_SCOPES)}).",
        )
        parser.add_argument("--expires-in-days", type=int, default=None, help="Days until the token expires.")
        parser.add_argument("--service-account", action="store_true", help="USERNAME is a pipeline, not a person.")
        parser.add_argument("--owner", default="", help="The administrator who answers for the service account.")

    def handle(self, *args: Any, username: str, name: str, scope: str, **options: Any) -> None:
        scopes = sorted({s.strip() for s in scope.split(",") if s.strip()})
        unknown = [s for s in scopes if s not in TokenScope.values]
        if unknown or not scopes:
            raise CommandError(
                f"Unknown scope {', '.join(unknown) or '(none given)'}: use {', '.join(TokenScope.values)}."
            )
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days takes a whole number of days, 1 or more.")
        with transaction.atomic():
            user = self._account(username, options["service_account"], options["owner"])
            if user.is_service_account and TokenScope.REVIEW in scopes:
                raise CommandError("A service account never reviews: leave out the review scope.")
            key = ApiToken.generate_key()
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key_hash=ApiToken.hash_key(key),
                key_prefix=key[:10],
                scopes=scopes,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
            audit_record(
                actor=None,
                actor_label="manage.py",
                verb=Verb.TOKEN_ISSUED,
                obj=user,
                changes={
                    "token": token.key_prefix,
                    "name": name,
                    "scopes": scopes,
                    "expires_at": token.expires_at.isoformat() if token.expires_at else None,
                },
            )
        self.stdout.write(key)

    def _account(self, username: str, service_account: bool, owner_name: str) -> User:
        user = User.objects.filter(username=username).first()
        if not service_account:
            if user is None or not user.is_active:
                raise CommandError(f"No active user named {username!r}.")
            return user
        if user is not None:
            if not user.is_service_account:
                raise CommandError(f"{username!r} is a person's account, not a service account.")
            return user
        owner = User.objects.filter(username=owner_name, is_active=True).first()
        if owner is None or not owner.is_portal_admin:
            raise CommandError("A new service account needs --owner: the username of an active administrator.")
        account = User(username=username, is_service_account=True, service_account_owner=owner)
        account.set_unusable_password()
        account.save()
        # A pipeline registers versions and evidence like an engineer; it owns what its administrator names it owner of.
        account.groups.add(Group.objects.get(name=Role.ENGINEER))
        return account
