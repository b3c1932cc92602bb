"""The organisation's identity provider (OpenID Connect), as settings describe it.

Which of the provider's groups give which role, review-function membership or lead flag is a mapping
in settings (OIDC_GROUP_MAP): each group names its grants, "role:<role>", "member:<function>" or
"lead:<function>". Nothing else gives anyone anything at an OpenID Connect sign-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.roles import Role

PROVIDER_ID = "sso"
GRANT_KINDS = ("role", "member", "lead")


@dataclass(frozen=True)
class Grants:
    """What a person's groups at the identity provider give them here."""

    roles: frozenset[str] = frozenset()
    # Review function key -> lead?
    functions: dict[str, bool] = field(default_factory=dict)


def identity_provider() -> dict[str, str] | None:
    """The provider the sign-in page offers, or None when none is configured (local accounts only)."""
    for app in settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", []):
        if app.get("provider_id") == PROVIDER_ID:
            issuer = urlsplit(app["settings"]["server_url"])
            return {
                "name": app["name"],
                "url": reverse("openid_connect_login", kwargs={"provider_id": PROVIDER_ID}),
                "origin": f"{issuer.scheme}://{issuer.netloc}",
            }
    return None


def group_map_check(group_map: dict[str, list[str]]) -> None:
    """Refuse a mapping that names what does not exist, rather than silently give nothing (or something else)."""
    for group, grants in group_map.items():
        if not isinstance(grants, list):
            raise ImproperlyConfigured(f"OIDC_GROUP_MAP[{group!r}] must be a list of grants.")
        for grant in grants:
            kind, _, name = str(grant).partition(":")
            if kind not in GRANT_KINDS or not name:
                raise ImproperlyConfigured(
                    f"OIDC_GROUP_MAP[{group!r}]: {grant!r} is not role:<role>, member:<function> or lead:<function>."
                )
            if kind == "role" and name not in Role.values:
                raise ImproperlyConfigured(
                    f"OIDC_GROUP_MAP[{group!r}]: no role {name!r}; roles are {', '.join(Role.values)}."
                )


def grants_for(groups: list[str], group_map: dict[str, list[str]] | None = None) -> Grants:
    group_map = settings.OIDC_GROUP_MAP if group_map is None else group_map
    group_map_check(group_map)
    roles: set[str] = set()
    functions: dict[str, bool] = {}
    for group in groups:
        for grant in group_map.get(group, []):
            kind, _, name = grant.partition(":")
            if kind == "role":
                roles.add(name)
            else:
                functions[name] = functions.get(name, False) or kind == "lead"
    return Grants(roles=frozenset(roles), functions=functions)


def groups_from_claims(claims: dict) -> list[str]:
    """The groups claim from the userinfo answer, else from the ID token; absent means no groups."""
    claim = settings.OIDC_GROUPS_CLAIM
    for source in (claims.get("userinfo") or {}, claims.get("id_token") or {}, claims):
        value = source.get(claim)
        if isinstance(value, list):
            return [str(v) for v in value]
        if isinstance(value, str):
            return [value]
    return []
