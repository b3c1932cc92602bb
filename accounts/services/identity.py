"""What the identity provider says a person is, applied here: at every sign-in through it, and by provisioning.

Roles, review-function memberships and lead flags become exactly what the mapping gives for the person's
groups: a group removed there is a role removed here at the next sign-in. Each change is audited (by
accounts/signals.py, as everywhere), and the whole sync once more with the groups it came from.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.identity import grants_for
from accounts.models import FunctionMembership, ReviewFunction, User
from accounts.roles import Role
from audit.services import Verb, audit_record


def _state(user: User) -> dict:
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "functions": sorted(
            f"{key}{' (lead)' if lead else ''}"
            for key, lead in FunctionMembership.objects.filter(user=user).values_list("function__key", "is_lead")
        ),
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def user_grants_apply(*, user: User, groups: list[str], source: str) -> bool:
    """Make the user's roles and functions exactly those their groups map to. True if anything changed."""
    grants = grants_for(groups)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _state(user)
        user.groups.set(Group.objects.filter(name__in=grants.roles))
        functions = {f.key: f for f in ReviewFunction.objects.filter(key__in=grants.functions)}
        for membership in FunctionMembership.objects.filter(user=user).select_related("function", "user"):
            if membership.function.key not in functions:
                membership.delete()
        for key, function in functions.items():
            membership, created = FunctionMembership.objects.get_or_create(
                function=function, user=user, defaults={"is_lead": grants.functions[key]}
            )
            if not created and membership.is_lead != grants.functions[key]:
                membership.is_lead = grants.functions[key]
                membership.save(update_fields=["is_lead"])
        # The admin site needs both flags; only the administrator role gives them.
        is_admin = Role.ADMIN in grants.roles
        if (user.is_staff, user.is_superuser) != (is_admin, is_admin):
            user.is_staff = user.is_superuser = is_admin
            user.save(update_fields=["is_staff", "is_superuser"])
        after = _state(user)
        if before == after:
            return False
        audit_record(
            actor=None,
            actor_label=source,
            verb=Verb.ROLES_SYNCED,
            obj=user,
            changes={"groups": sorted(groups), "before": before, "after": after},
        )
    return True
