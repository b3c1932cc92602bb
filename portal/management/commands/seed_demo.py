from django.core.management.base import BaseCommand
from django.db import transaction

from governance.monitoring_demo import demo_monitoring_seed
from lifecycle.demo import demo_use_cases_seed
from portal.demo import demo_keys_make, demo_people_seed
from signoff.demo import demo_requests_seed

DEFAULT_PASSWORD = "stagegate-demo"


class Command(BaseCommand):
    help = "Create the demo users and sample use cases. Safe to run again: it changes nothing twice."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Password for every demo user.")

    def handle(self, *args, password: str, **options) -> None:
        # Keys first, so the demo's packets are signed (with a self-signed certificate, as they say).
        for line in demo_keys_make():
            self.stdout.write(line)
        with transaction.atomic():
            users = demo_people_seed(password=password)
            use_cases = demo_use_cases_seed(users=users)
        # Requests are seeded in their own transactions: approving one renders
        # its packet after commit, as in real use.
        demo_requests_seed(users=users, use_cases=use_cases)
        with transaction.atomic():
            demo_monitoring_seed(users=users, use_cases=use_cases)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(users)} users (password {password!r}), {len(use_cases)} use cases. "
                "Sign in as erin, rita, carl, lena, audrey or admin."
            )
        )
