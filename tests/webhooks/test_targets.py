"""Refused targets: webhooks never go into the network the portal runs in, unless a network is allowed."""

from __future__ import annotations

import pytest

from webhooks.targets import TargetRefused, address_refused, target_check, target_refusal

INTERNAL = {
    "127.0.0.1": "a loopback address",
    "127.8.9.10": "a loopback address",
    "::1": "a loopback address",
    "10.1.2.3": "a private address",
    "172.16.0.1": "a private address",
    "192.168.1.1": "a private address",
    "fc00::1": "a private address",
    "169.254.169.254": "a link-local address",
    "fe80::1": "a link-local address",
    "224.0.0.1": "a multicast address",
    "239.1.2.3": "a multicast address",
    "ff02::1": "a multicast address",
    "240.0.0.1": "a reserved address",
    "0.0.0.0": "an unspecified address",
    "::": "an unspecified address",
    "100.64.0.1": "an address that is not publicly routable",
    "192.0.2.10": "a private address",
    # IPv6 addresses that reach an IPv4 one: what they reach is what counts.
    "::ffff:127.0.0.1": "a loopback address",
    "::ffff:10.0.0.1": "a private address",
    "::ffff:169.254.169.254": "a link-local address",
    "64:ff9b::a00:1": "a private address",
    "64:ff9b::a9fe:a9fe": "a link-local address",
    "2002:7f00:1::1": "a loopback address",
}


@pytest.mark.parametrize(("address", "kind"), sorted(INTERNAL.items()))
def test_internal_addresses_are_refused(address, kind):
    assert address_refused(address, []) == kind


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "2606:4700:4700::1111", "::ffff:93.184.215.14", "64:ff9b::5db8:d70e", "1.1.1.1"]
)
def test_public_addresses_are_not(address):
    assert address_refused(address, []) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "127.0.0.1 is a loopback address; webhooks are sent only to public addresses"),
        ("https://[::1]:8443/hook", "::1 is a loopback address"),
        ("https://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("https://[fe80::1]/hook", "fe80::1 is a link-local address"),
        ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback address"),
        ("https://localhost/hook", "localhost resolves to"),
    ],
)
def test_urls_to_internal_targets_are_refused_with_the_reason(url, message):
    refusal = target_refusal(url)
    assert refusal is not None and message in refusal
    assert "WEBHOOK_ALLOWED_NETWORKS" in refusal


def test_an_allowed_network_lets_exactly_its_addresses_through(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32", "10.20.0.0/16"]
    assert target_refusal("https://127.0.0.1:9000/hook") is None
    assert target_refusal("https://[::ffff:127.0.0.1]/hook") is None
    assert target_refusal("https://10.20.30.40/hook") is None
    assert "loopback" in target_refusal("https://127.0.0.2/hook")
    assert "private" in target_refusal("https://10.21.0.1/hook")


def test_plain_http_only_when_allowed(settings):
    settings.DEBUG = False
    settings.WEBHOOK_ALLOW_HTTP = False
    assert "must use https://" in target_refusal("http://93.184.215.14/hook")
    settings.WEBHOOK_ALLOW_HTTP = True
    assert target_refusal("http://93.184.215.14/hook") is None
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.DEBUG = True
    assert target_refusal("http://93.184.215.14/hook") is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.215.14/hook", "must use https://"),
        ("https://user:secret@93.184.215.14/hook", "no user name or password"),
        ("https:///hook", "names no host"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
        ("https://93.184.215.14:99999/hook", "not a usable URL"),
    ],
)
def test_unusable_urls_say_why(url, message):
    assert message in target_refusal(url)


def test_a_checked_target_keeps_the_addresses_it_was_checked_on():
    target = target_check("https://93.184.215.14/hooks/in?source=stagegate")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "93.184.215.14",
        443,
        "/hooks/in?source=stagegate",
    )
    assert target.addresses == ("93.184.215.14",)


def test_refusal_is_an_exception_for_the_sender():
    with pytest.raises(TargetRefused, match="loopback"):
        target_check("https://127.0.0.1/")


def test_names_and_paths_are_made_fit_for_the_request_line():
    target = target_check("https://93.184.215.14/hooks/übersicht ok?team=ri sk&x=%2F")
    assert target.path == "/hooks/%C3%BCbersicht%20ok?team=ri%20sk&x=%2F"
    assert "does not resolve" in target_refusal("https://bücher.invalid/hook")
