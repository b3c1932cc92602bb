"""Backfill: count every recorded decision's review cycle into the insight histogram (core.DurationTally)."""

from collections import Counter

from django.db import migrations
from django.db.models import DurationField, ExpressionWrapper, F

from core.tallies import duration_bucket

SERIES = "review_cycle"


def backfill(apps, schema_editor):
    Review = apps.get_model("signoff", "Review")
    DurationTally = apps.get_model("core", "DurationTally")
    cycles = (
        Review.objects.filter(decided_at__isnull=False, decided_by__isnull=False)
        .annotate(cycle=ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField()))
        .values_list("function_id", "cycle")
        .order_by()
    )
    counts = Counter(
        (function_id, duration_bucket(cycle.total_seconds() if cycle else 0.0))
        for function_id, cycle in cycles.iterator()
    )
    DurationTally.objects.filter(series=SERIES).delete()
    DurationTally.objects.bulk_create(
        DurationTally(series=SERIES, key=function_id, hours=hours, count=n)
        for (function_id, hours), n in counts.items()
    )


def forget(apps, schema_editor):
    apps.get_model("core", "DurationTally").objects.filter(series=SERIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_duration_tally"),
        ("signoff", "0009_packet_signature"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
