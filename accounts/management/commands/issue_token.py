from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import MACHINE_SCOPES, TokenScope, User
from accounts.services.tokens import api_token_issue, service_account_create


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
            try:
                _token, key = api_token_issue(
                    holder=user,
                    actor=None,
                    actor_label="manage.py",
                    name=name,
                    scopes=scopes,
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
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
        return service_account_create(username=username, owner=owner, actor=None, actor_label="manage.py")
