from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts: people, roles, review functions, API tokens"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (audits privilege changes made anywhere)
