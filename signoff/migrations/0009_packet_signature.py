from django.db import migrations, models


def unsigned_is_stored(apps, schema_editor):
    # Packets issued before signing: the stored file is the document itself.
    Packet = apps.get_model("signoff", "Packet")
    Packet.objects.update(unsigned_sha256=models.F("sha256"), unsigned_size=models.F("size"))


class Migration(migrations.Migration):
    dependencies = [("signoff", "0008_policy_suspend_on_critical_breach")]

    operations = [
        migrations.AddField(
            model_name="packet",
            name="unsigned_sha256",
            field=models.CharField(db_index=True, default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="packet",
            name="unsigned_size",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="packet",
            name="signer",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="packet",
            name="timestamped_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(unsigned_is_stored, migrations.RunPython.noop),
    ]
