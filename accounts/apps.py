from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts: people, roles, review functions, API tokens"

    def ready(self) -> None:
        from django.conf import settings

        from accounts import signals  # noqa: F401  (audits privilege changes made anywhere)
        from accounts.identity import group_map_check

        # A mapping that names a role that does not exist fails at start, not at someone's sign-in.
        group_map_check(settings.OIDC_GROUP_MAP)
