"""Backfill: count every completed stay in a stage into the insight histogram (core.DurationTally)."""

from collections import Counter

from django.db import migrations
from django.db.models import DurationField, ExpressionWrapper, F, Window
from django.db.models.functions import Coalesce, Lag

from core.tallies import duration_bucket

SERIES = "stage_stay"


def backfill(apps, schema_editor):
    StageChange = apps.get_model("lifecycle", "StageChange")
    DurationTally = apps.get_model("core", "DurationTally")
    entered = Coalesce(
        Window(Lag("created_at"), partition_by=[F("use_case_id")], order_by=[F("created_at").asc(), F("id").asc()]),
        F("use_case__created_at"),
    )
    stays = (
        StageChange.objects.annotate(stay=ExpressionWrapper(F("created_at") - entered, output_field=DurationField()))
        .values_list("from_stage", "stay")
        .order_by()
    )
    counts = Counter(
        (stage, duration_bucket(stay.total_seconds() if stay else 0.0)) for stage, stay in stays.iterator()
    )
    DurationTally.objects.filter(series=SERIES).delete()
    DurationTally.objects.bulk_create(
        DurationTally(series=SERIES, key=stage, hours=hours, count=n) for (stage, hours), n in counts.items()
    )


def forget(apps, schema_editor):
    apps.get_model("core", "DurationTally").objects.filter(series=SERIES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_duration_tally"),
        ("lifecycle", "0006_metric_critical"),
    ]

    operations = [migrations.RunPython(backfill, forget)]
