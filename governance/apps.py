from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Running governance: suspension, findings, exceptions, monitoring, incidents"

    def ready(self) -> None:
        # The gates and the reminder sweep belong to sign-off; governance adds its checks, waivers and items.
        from governance import registrations  # noqa: F401
