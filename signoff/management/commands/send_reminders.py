from django.core.management.base import BaseCommand, CommandError

from signoff.reminders import reviews_sweep_due


class Command(BaseCommand):
    help = "Run one reminder sweep now: the same code the periodic beat task runs. Safe to run at any time."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Reminders sent per transaction.")

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = reviews_sweep_due(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(str(result)))
