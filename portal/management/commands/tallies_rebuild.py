"""Recount the insight histograms from the history: after a bulk import, or to check they agree."""

from django.core.management.base import BaseCommand

from lifecycle.tallies import stage_stays_rebuild
from signoff.tallies import review_cycles_rebuild


class Command(BaseCommand):
    help = "Recount time in stage and review cycle times from the recorded history (what the insight page reads)."

    def handle(self, *args, **options) -> None:
        stays = stage_stays_rebuild()
        cycles = review_cycles_rebuild()
        self.stdout.write(f"Counted {stays} completed stays in a stage and {cycles} review decisions.")
