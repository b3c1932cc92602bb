"""SCIM 2.0 provisioning (django-scim2) behind its own bearer token: the identity provider creates, updates
and deactivates accounts and says who is in which of its groups, and each change takes effect at once.

- Users: never a password (people sign in through the provider); `active: false` or a DELETE is a
  deactivation with everything that follows (accounts/services/people.py). Rows are never deleted: the
  audit trail names them.
- Groups are the provider's own ("risk-leads"). A change of membership, name or a group's removal makes
  each member's roles, review functions and lead flags what OIDC_GROUP_MAP gives their groups now.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django_scim import exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI
from django_scim.middleware import SCIMAuthCheckMiddleware
from django_scim.models import SCIMServiceProviderConfig

from accounts.models import IdentityGroup, User
from accounts.services.identity import user_grants_apply
from accounts.services.people import user_deactivate
from audit.refusals import refusal_audit

SOURCE = "SCIM provisioning"
# The most resources one list or search answers with, whatever `count` asks (RFC 7644 §3.4.2.4).
MAX_RESULTS = 100
# Okta removes one member by naming it in the path: members[value eq "<user id>"] (RFC 7644 §3.5.2.2).
MEMBER_FILTER = re.compile(r'^\s*members\s*\[\s*value\s+eq\s+"([^"]+)"\s*\]\s*$', re.IGNORECASE)


class ScimServiceProviderConfig(SCIMServiceProviderConfig):
    """What this portal's SCIM does, and only that: identity providers plan their calls by it."""

    def to_dict(self) -> dict:
        return {
            "schemas": [SchemaURI.SERVICE_PROVIDER_CONFIG],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            # Users are found by userName (and the other attributes django-scim2's filter knows), as providers do.
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            # Passwords never come from provisioning: these people sign in through the identity provider.
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": settings.SCIM_SERVICE_PROVIDER["AUTHENTICATION_SCHEMES"],
            "meta": self.meta,
        }


class ScimBearerCheck(SCIMAuthCheckMiddleware):
    """SCIM's own bearer token (SCIM_TOKEN), apart from API tokens and sessions: nothing else gets in."""

    def process_request(self, request: Any) -> HttpResponse | None:
        expected = settings.SCIM_TOKEN
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if expected and scheme.lower() == "bearer" and secrets.compare_digest(given.strip(), expected):
            return None
        detail = "Provisioning needs the SCIM bearer token." if expected else "Provisioning is not configured here."
        # A refused write takes the one road: an event for a signed-in person, a tally for anyone else.
        refusal_audit(request, status=401, reason=detail)
        body = json.dumps({"schemas": [SchemaURI.ERROR], "status": "401", "detail": detail})
        response = HttpResponse(body, status=401, content_type=SCIM_CONTENT_TYPE)
        response["WWW-Authenticate"] = str(settings.SCIM_SERVICE_PROVIDER["WWW_AUTHENTICATE_HEADER"])
        return response


def _grants_resync(user_ids: set[int]) -> None:
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        groups = list(user.identity_groups.values_list("name", flat=True))
        user_grants_apply(user=user, groups=groups, source=SOURCE)


class ScimUser(SCIMUser):
    @property
    def groups(self) -> list[dict]:
        return [
            {"value": g.scim_id, "$ref": ScimGroup(g, self.request).location, "display": g.name}
            for g in self.obj.identity_groups.all()
        ]

    def from_dict(self, d: dict) -> None:
        if not isinstance(d.get("userName"), str) or not d["userName"].strip():
            raise exceptions.BadRequestError("userName is required.")
        # Passwords never come from provisioning: these people sign in through the identity provider.
        super().from_dict({k: v for k, v in d.items() if k != "password"})
        try:
            UnicodeUsernameValidator()(self.obj.username)
        except ValidationError:
            raise exceptions.BadRequestError("userName may hold letters, digits and @ . + - _ only.") from None

    def save(self) -> None:
        user = self.obj
        is_new = user.pk is None
        deactivating = not is_new and not user.is_active and User.objects.filter(pk=user.pk, is_active=True).exists()
        with transaction.atomic():
            if is_new:
                user.set_unusable_password()
            if deactivating:
                user.is_active = True
            user.save()
            if deactivating:
                user_deactivate(user=user, actor=None, actor_label=SOURCE, reason="deactivated by provisioning")
                user.is_active = False

    def delete(self) -> None:
        user_deactivate(user=self.obj, actor=None, actor_label=SOURCE, reason="deleted by provisioning")


class ScimGroup(SCIMGroup):
    _members: list[User] | None = None

    @property
    def members(self) -> list[dict]:
        return [
            {"value": u.scim_id, "$ref": ScimUser(u, self.request).location, "display": u.username}
            for u in self.obj.members.all()
        ]

    @staticmethod
    def _users(members: Any) -> list[User]:
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise exceptions.BadRequestError('members must be a list of {"value": "<user id>"}.')
        ids = {str(m.get("value", "")) for m in members}
        users = list(User.objects.filter(scim_id__in=ids))
        if len(users) != len(ids):
            missing = sorted(ids - {u.scim_id for u in users})
            raise exceptions.BadRequestError(f"No user with id {', '.join(missing)}.")
        return users

    def from_dict(self, d: dict) -> None:
        if not isinstance(d.get("displayName"), str) or not d["displayName"].strip():
            raise exceptions.BadRequestError("displayName is required.")
        super().from_dict(d)
        self._members = self._users(d["members"]) if "members" in d else None

    def save(self) -> None:
        group = self.obj
        with transaction.atomic():
            affected = set(group.members.values_list("pk", flat=True)) if group.pk else set()
            group.scim_display_name = group.name
            group.save()
            if self._members is not None:
                group.members.set(self._members)
            _grants_resync(affected | {u.pk for u in group.members.all()})

    def delete(self) -> None:
        with transaction.atomic():
            affected = set(self.obj.members.values_list("pk", flat=True))
            IdentityGroup.objects.filter(pk=self.obj.pk).delete()
            _grants_resync(affected)

    def handle_operations(self, operations: Any) -> None:
        if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
            raise exceptions.BadRequestError("Operations must be a list of objects.")
        plain = []
        for operation in operations:
            path = operation.get("path")
            match = MEMBER_FILTER.match(path) if isinstance(path, str) else None
            if match:
                if str(operation.get("op", "")).lower() != "remove":
                    raise exceptions.NotImplementedError("A filter in the path is supported only to remove a member.")
                operation = {**operation, "path": "members", "value": [{"value": match.group(1)}]}
            plain.append(operation)
        super().handle_operations(plain)

    def handle_add(self, path: Any, value: Any, operation: dict) -> None:
        if path is None or path.first_path != ("members", None, None):
            raise exceptions.NotImplementedError("Only members can be added to a group.")
        users = self._users(value)
        self.obj.members.add(*users)
        _grants_resync({u.pk for u in users})

    def handle_remove(self, path: Any, value: Any, operation: dict) -> None:
        if path is None or path.first_path != ("members", None, None) or not value:
            raise exceptions.NotImplementedError(
                'Remove members by naming them: "value": [{"value": "<user id>"}], or members[value eq "<user id>"].'
            )
        users = self._users(value)
        self.obj.members.remove(*users)
        _grants_resync({u.pk for u in users})

    def handle_replace(self, path: Any, value: Any, operation: dict) -> None:
        changes = value if path is None and isinstance(value, dict) else {path: value}
        for attr, new in changes.items():
            name = attr if isinstance(attr, str) else attr.first_path[0] if attr is not None else ""
            if name == "members":
                affected = set(self.obj.members.values_list("pk", flat=True))
                users = self._users(new)
                self.obj.members.set(users)
                _grants_resync(affected | {u.pk for u in users})
            elif name == "displayName" and isinstance(new, str) and new.strip():
                self.obj.name = self.obj.scim_display_name = new.strip()
                self.obj.save()
                _grants_resync(set(self.obj.members.values_list("pk", flat=True)))
            else:
                raise exceptions.NotImplementedError(f"Replacing {name or 'that'} is not supported.")
