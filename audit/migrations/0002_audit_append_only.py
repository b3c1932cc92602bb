from django.db import migrations

from audit.triggers import audit_triggers_drop, audit_triggers_install


def install(apps, schema_editor):
    # The head exists from the start: a trail whose head is gone was removed, not new.
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)
    audit_triggers_install(schema_editor.connection)


def drop(apps, schema_editor):
    audit_triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, drop)]
