"""Where a webhook may go: never into the network the portal runs in.

An administrator's URL is a request the portal makes from inside the organisation's network. Without
this check a webhook could reach the cloud metadata service (169.254.169.254), the database, Redis or
an internal admin page (server-side request forgery). So the URL's host is resolved and every address
it resolves to must be publicly routable, unless it lies in a network WEBHOOK_ALLOWED_NETWORKS allows.

The check runs when the endpoint is saved (a message the administrator can act on) and again before
every attempt, because DNS can change after the save. The attempt then connects to the address that
was checked, not to a second lookup of the name, so a name that answers differently the second time
(DNS rebinding) cannot slip past.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Target:
    """A URL that passed the check, with the addresses it resolved to (each one allowed)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


class TargetRefused(Exception):
    """The URL may not be called; the message says why, for the administrator and the attempt log."""


def allowed_networks() -> list[IPNetwork]:
    networks = []
    for cidr in settings.WEBHOOK_ALLOWED_NETWORKS:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"WEBHOOK_ALLOWED_NETWORKS: {cidr!r} is not a network ({exc}).") from None
    return networks


def http_allowed() -> bool:
    return bool(settings.DEBUG or settings.WEBHOOK_ALLOW_HTTP)


# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address a NAT64 gateway reaches.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _reached(address: IPAddress) -> list[IPAddress]:
    """The addresses a connection to `address` really reaches, each of which must be public."""
    if isinstance(address, ipaddress.IPv4Address):
        return [address]
    if address.ipv4_mapped is not None:
        # ::ffff:10.0.0.1 is 10.0.0.1 reached over an IPv6 socket: only the IPv4 address counts.
        return [address.ipv4_mapped]
    if address in NAT64:
        # DNS64 gives IPv6-only networks such an address for every IPv4-only host: judge the host.
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address, address.sixtofour]
    return [address]


def _kind(address: IPAddress) -> str | None:
    """What makes an address internal, in words; None for a publicly routable one."""
    # Order matters for the message: 127.0.0.1 is loopback before it is "private".
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        # Shared address space (100.64.0.0/10), documentation ranges and the like.
        return "an address that is not publicly routable"
    return None


def address_refused(address: str, networks: list[IPNetwork] | None = None) -> str | None:
    """What makes this address one the portal may not connect to ("a loopback address"); None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    networks = allowed_networks() if networks is None else networks
    candidates = _reached(ip)
    # An allowed network names what the administrator means to reach, so the address actually reached
    # (the IPv4 address inside a mapped IPv6 one) may lie in it too.
    if any(c in network for c in candidates for network in networks if c.version == network.version):
        return None
    for candidate in candidates:
        if (kind := _kind(candidate)) is not None:
            return kind
    return None


REFUSED_TAIL = (
    "webhooks are sent only to public addresses (an administrator may allow a network with WEBHOOK_ALLOWED_NETWORKS)."
)


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The host {host} does not resolve ({exc}).") from None
    # getaddrinfo gives each address once per socket type at most; keep the resolver's order.
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def target_check(url: str) -> Target:
    """The URL's target if every address its host resolves to may be called; TargetRefused saying why if not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"This is not a usable URL ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme == "http" and not http_allowed():
        raise TargetRefused("Webhook URLs must use https:// (plain http:// is allowed only with WEBHOOK_ALLOW_HTTP).")
    if scheme not in ("http", "https"):
        raise TargetRefused("Webhook URLs must use https://.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Put no user name or password in the URL; receivers check the signature instead.")
    if not parts.hostname:
        raise TargetRefused("The URL names no host.")
    try:
        # The form the resolver, the Host header and TLS all use for an internationalised name.
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise TargetRefused(f"The host {parts.hostname} is not a usable name ({exc}).") from None
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not addresses:
        raise TargetRefused(f"The host {host} does not resolve to any address.")
    networks = allowed_networks()
    # Every address, not just the first: a name resolving to a public and a private address could
    # otherwise be called on the private one whenever the resolver put it first.
    for address in addresses:
        if (kind := address_refused(address, networks)) is not None:
            named = f"{address} is" if address == host else f"{host} resolves to {address},"
            raise TargetRefused(f"{named} {kind}; {REFUSED_TAIL}")
    # Characters a request line cannot carry are percent-encoded; escapes already there are kept.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        path = f"{path}?{quote(parts.query, safe='/%:@!$&()*+,;=?~')}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def target_refusal(url: str) -> str | None:
    """Why the URL may not be called, in words; None when it may. For forms and services."""
    try:
        target_check(url)
    except TargetRefused as exc:
        return str(exc)
    return None
