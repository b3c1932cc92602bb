from django.db import migrations

ROLES = ["engineer", "risk", "compliance", "legal", "auditor", "admin"]
FUNCTIONS = [
    ("risk", "Risk", "Second-line model and AI risk management: classification, materiality, effective challenge."),
    ("compliance", "Compliance", "Regulatory compliance and data protection: personal data, transparency duties."),
    ("legal", "Legal", "Legal review: high-risk obligations, customer-facing terms, regulated decisions."),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ReviewFunction = apps.get_model("accounts", "ReviewFunction")
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    for key, name, description in FUNCTIONS:
        ReviewFunction.objects.get_or_create(key=key, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
