"""The default gate policy of the design: what each promotion requires and who signs."""

from django.db import migrations

BASICS = ["purpose", "technical_owner"]
FULL_REGISTRY = ["purpose", "approved_scope", "business_kpi", "technical_owner", "business_owner", "sunset_criteria"]

POLICIES = [
    {
        "target_stage": 1,
        "registry_fields": BASICS,
        "required_artifact_kinds": [],
        "requires_version": True,
        "requires_assessment": True,
        "sla_business_days": 3,
        "rules": [],
    },
    {
        "target_stage": 2,
        "registry_fields": [*BASICS, "approved_scope"],
        "required_artifact_kinds": ["evaluation_report", "data_lineage"],
        "requires_version": True,
        "requires_assessment": True,
        "requires_final_assessment": True,
        "sla_business_days": 5,
        "rules": [("risk", "always")],
    },
    {
        "target_stage": 3,
        "registry_fields": FULL_REGISTRY,
        "required_artifact_kinds": [
            "evaluation_report",
            "data_lineage",
            "observability_plan",
            "rollback_test",
            "communication_plan",
        ],
        "requires_version": True,
        "requires_metrics_passing": True,
        "requires_assessment": True,
        "requires_final_assessment": True,
        "requires_readiness_check": True,
        "sla_business_days": 5,
        "rules": [
            ("risk", "always"),
            ("compliance", "personal_data"),
            ("compliance", "tier_high"),
            ("compliance", "tier_limited"),
            ("legal", "tier_high"),
            ("legal", "customer_facing"),
            ("legal", "regulated_decision"),
        ],
    },
    {
        "target_stage": 4,
        "registry_fields": FULL_REGISTRY,
        "required_artifact_kinds": ["evaluation_report", "telemetry_review"],
        "requires_version": True,
        "requires_metrics_passing": True,
        "requires_assessment": True,
        "requires_final_assessment": True,
        "requires_readiness_check": True,
        "requires_owner_acceptance": True,
        "evaluation_fresh_since_stage_entry": True,
        "sla_business_days": 5,
        "rules": [("risk", "always")],
    },
]


def forwards(apps, schema_editor):
    GatePolicy = apps.get_model("signoff", "GatePolicy")
    SignoffRule = apps.get_model("signoff", "SignoffRule")
    ReviewFunction = apps.get_model("accounts", "ReviewFunction")
    functions = {f.key: f for f in ReviewFunction.objects.all()}
    for spec in POLICIES:
        spec = dict(spec)
        rules = spec.pop("rules")
        policy, created = GatePolicy.objects.get_or_create(target_stage=spec.pop("target_stage"), defaults=spec)
        if created:
            for function_key, when in rules:
                SignoffRule.objects.create(policy=policy, function=functions[function_key], when=when)


class Migration(migrations.Migration):
    dependencies = [("signoff", "0001_initial"), ("accounts", "0002_roles_and_functions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
