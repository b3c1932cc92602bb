from django.apps import AppConfig


class SignoffConfig(AppConfig):
    name = "signoff"
    verbose_name = "Sign-off: gates, requests, reviews, reminders, packets"

    def ready(self) -> None:
        from accounts import hooks as accounts_hooks
        from audit.verify import audit_cross_check_register
        from lifecycle import hooks
        from lifecycle.panels import evidence_needs_source
        from signoff import subscriptions
        from signoff.gates.needs import evidence_needs
        from signoff.packets.chain_check import packets_cross_check

        hooks.on_change(subscriptions.registry_changed)
        hooks.on_stage_leaving(subscriptions.stage_leaving)
        accounts_hooks.on_user_deactivated(subscriptions.user_deactivating)
        audit_cross_check_register(packets_cross_check)
        evidence_needs_source(evidence_needs)
