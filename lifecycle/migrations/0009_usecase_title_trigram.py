"""A trigram index on use case titles, so a new title is compared with the whole registry in one index scan."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "usecase_title_trgm_idx"


def index_create(apps, schema_editor):
    # SQLite has no trigram index; lifecycle/selectors.py compares titles in Python there.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON lifecycle_usecase USING gin (title gin_trgm_ops)")


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0008_usecase_title_idx"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(index_create, index_drop),
    ]
