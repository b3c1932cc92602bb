from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: people, audit trail, notifications"

    def ready(self) -> None:
        from portal import signals  # noqa: F401  (audits sign-ins)
