"""Sign-in events go to the audit trail. Signals only for auth: Django sends them, not our services."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from audit.services import Verb, audit_record


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        audit_record(actor=user, verb=Verb.LOGIN, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, verb=Verb.LOGOUT, obj=user)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        audit_record(
            actor=None,
            actor_label=username or "(blank)",
            verb=Verb.LOGIN_FAILED,
            obj=user,
            changes={"username": username},
        )
