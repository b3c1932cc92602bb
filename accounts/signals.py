"""Every change of who may do what is on the record, wherever it is made.

Privileges change in the admin, through provisioning, from management
commands and from the shell: the flags (`is_active`, `is_staff`,
`is_superuser`), the password, the roles (groups), direct permissions and
review-function memberships. Services would each have to remember; model
signals cannot forget, so this is the one place where auditing hangs on
signals. The actor is whoever the request being served belongs to
(audit.services.current_actor), or none for a command.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import FunctionMembership, User
from audit.services import Verb, audit_record, current_actor

FLAGS = ("is_active", "is_staff", "is_superuser")
# Values seen before a save or an m2m change, keyed by row, until the matching "after" signal.
_before: dict[tuple[str, int], Any] = {}


def _record(*, verb: Verb, user: User, changes: dict[str, Any]) -> None:
    actor = current_actor()
    audit_record(
        actor=actor,
        actor_label="" if actor else "(no signed-in user)",
        verb=verb,
        obj=user,
        changes=changes,
    )


@receiver(pre_save, sender=User)
def _user_before(sender: type[User], instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).values(*FLAGS, "password").first()
    if old is not None:
        _before[("user", instance.pk)] = old


@receiver(post_save, sender=User)
def _user_after(sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    if created:
        _record(
            verb=Verb.ACCOUNT_CREATED,
            user=instance,
            changes={"username": instance.username, **{flag: getattr(instance, flag) for flag in FLAGS}},
        )
        return
    old = _before.pop(("user", instance.pk), None)
    if old is None:
        return
    changes: dict[str, Any] = {
        flag: [old[flag], getattr(instance, flag)] for flag in FLAGS if old[flag] != getattr(instance, flag)
    }
    if old["password"] != instance.password:
        # Never the hashes: that it changed is what the record needs.
        changes["password"] = "changed" if instance.has_usable_password() else "made unusable"
    if changes:
        _record(verb=Verb.PRIVILEGES_CHANGED, user=instance, changes=changes)


def _names(kind: str, user: User) -> list[str]:
    if kind == "roles":
        return sorted(user.groups.values_list("name", flat=True))
    return sorted(
        f"{app}.{code}" for app, code in user.user_permissions.values_list("content_type__app_label", "codename")
    )


def _m2m(kind: str, instance: Any, action: str, reverse: bool, model: type, pk_set: set[int] | None) -> None:
    """Before and after of a user's roles or direct permissions, from either side of the relation."""
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or ()))
    if reverse and action in ("pre_clear", "post_clear"):
        # Group.user_set.clear(): the users are those still in it before the clear.
        if action == "pre_clear":
            users = _before[(f"clear-{kind}", instance.pk)] = list(instance.user_set.all())
        else:
            users = _before.pop((f"clear-{kind}", instance.pk), [])
    for user in users:
        key = (kind, user.pk)
        if action.startswith("pre_"):
            _before[key] = _names(kind, user)
            continue
        before = _before.pop(key, None)
        if before is None:
            continue
        after = _names(kind, user)
        if before != after:
            _record(verb=Verb.MEMBERSHIP_CHANGED, user=user, changes={"action": kind, "before": before, "after": after})


@receiver(m2m_changed, sender=User.groups.through)
def _roles_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: type, pk_set: Any, **kwargs: Any
) -> None:
    _m2m("roles", instance, action, reverse, model, pk_set)


@receiver(m2m_changed, sender=User.user_permissions.through)
def _permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: type, pk_set: Any, **kwargs: Any
) -> None:
    _m2m("permissions", instance, action, reverse, model, pk_set)


def _membership_state(membership: FunctionMembership) -> dict[str, Any]:
    return {"function": membership.function.key, "user": membership.user.username, "is_lead": membership.is_lead}


@receiver(pre_save, sender=FunctionMembership)
def _membership_before(
    sender: type[FunctionMembership], instance: FunctionMembership, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance.pk is None:
        return
    old = FunctionMembership.objects.select_related("function", "user").filter(pk=instance.pk).first()
    if old is not None:
        _before[("membership", instance.pk)] = _membership_state(old)


@receiver(post_save, sender=FunctionMembership)
def _membership_after(
    sender: type[FunctionMembership], instance: FunctionMembership, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    before = None if created else _before.pop(("membership", instance.pk), None)
    after = _membership_state(instance)
    if before == after:
        return
    _record(
        verb=Verb.MEMBERSHIP_CHANGED,
        user=instance.user,
        changes={"action": "added" if created else "changed", "before": before, "after": after},
    )


@receiver(post_delete, sender=FunctionMembership)
def _membership_removed(sender: type[FunctionMembership], instance: FunctionMembership, **kwargs: Any) -> None:
    _record(
        verb=Verb.MEMBERSHIP_CHANGED,
        user=instance.user,
        changes={"action": "removed", "before": _membership_state(instance), "after": None},
    )
