import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Everything from this origin only; no inline script or style, no plugins, no framing.
CSP = {
    "default-src": "'self'",
    "base-uri": "'self'",
    "connect-src": "'self'",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
}


def directives(header: str) -> dict[str, str]:
    return dict(directive.split(" ", 1) for directive in header.split("; "))


@pytest.mark.parametrize("url_name", ["login", "healthz"])
def test_public_pages_send_the_security_headers(client, url_name):
    response = client.get(reverse(url_name))
    assert directives(response["Content-Security-Policy"]) == CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_signed_in_pages_send_csp(client, erin, use_case):
    client.force_login(erin)
    for url in (reverse("lifecycle:use-case-list"), use_case.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert directives(response["Content-Security-Policy"]) == CSP


def test_pages_carry_no_inline_script_or_style(client, erin, use_case):
    client.force_login(erin)
    html = client.get(use_case.get_absolute_url()).content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_session_cookie_is_http_only(client, erin):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
