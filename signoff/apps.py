from django.apps import AppConfig


class SignoffConfig(AppConfig):
    name = "signoff"
    verbose_name = "Sign-off: gates, requests, reviews, reminders, packets"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from lifecycle import hooks
        from signoff import subscriptions

        hooks.on_change(subscriptions.registry_changed)
        hooks.on_stage_leaving(subscriptions.stage_leaving)
        accounts_hooks.on_user_deactivated(subscriptions.user_deactivating)
