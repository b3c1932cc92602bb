"""A small OpenID Connect provider for the tests, run as its own process on a loopback port.

    python tests/identity_provider.py USERS.json --client-id ID --client-secret SECRET

It listens on a free loopback port and prints that port, then serves until it is terminated.

It speaks the authorization-code flow (with PKCE) the way an organisation's provider does: discovery,
a sign-in form, the token endpoint (an RS256-signed ID token), userinfo and the signing key. People,
their passwords and their groups are read from USERS.json at each sign-in, so a test changes someone's
groups by rewriting the file: {"rosa": {"password": "...", "email": "...", "name": "...", "groups": [...]}}.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "test-key-1"


class Provider:
    def __init__(self, *, issuer: str, users: Path, client_id: str, client_secret: str) -> None:
        self.issuer = issuer
        self.users = users
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.lock = threading.Lock()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "groups"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def claims(self, username: str) -> dict:
        person = json.loads(self.users.read_text())[username]
        return {
            "sub": f"idp-{username}",
            "preferred_username": username,
            "email": person.get("email", f"{username}@idp.example"),
            "email_verified": True,
            "name": person.get("name", username.capitalize()),
            "groups": person.get("groups", []),
        }

    def check_password(self, username: str, password: str) -> bool:
        person = json.loads(self.users.read_text()).get(username)
        return person is not None and secrets.compare_digest(person["password"], password)

    def id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(time.time())
        payload = {**claims, "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300}
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KEY_ID})


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # the test's output stays readable
            return

        def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if url.path == "/jwks":
                return self._json(200, provider.jwks())
            if url.path == "/authorize":
                return self._sign_in_form(query, error="")
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                claims = provider.access_tokens.get(token)
                if claims is None:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, claims)
            return self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/authorize":
                return self._authorize(self._form())
            if url.path == "/token":
                return self._token(self._form())
            return self._json(404, {"error": "not_found"})

        def _sign_in_form(self, params: dict[str, str], error: str) -> None:
            if params.get("client_id") != provider.client_id or params.get("response_type") != "code":
                return self._send(400, b"Unknown client or response type.", "text/plain")
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
                if k not in ("username", "password")
            )
            page = (
                "<!doctype html><html lang='en'><head><title>Example Bank sign-in</title></head><body>"
                "<h1>Example Bank sign-in</h1>"
                + (f"<p role='alert'>{html.escape(error)}</p>" if error else "")
                + "<form method='post' action='/authorize'>"
                + hidden
                + "<label>Corporate username <input name='username' autocomplete='username'></label>"
                "<label>Corporate password <input name='password' type='password'></label>"
                "<button type='submit'>Continue</button></form></body></html>"
            )
            return self._send(200 if not error else 401, page.encode(), "text/html; charset=utf-8")

        def _authorize(self, form: dict[str, str]) -> None:
            username = form.get("username", "")
            if not provider.check_password(username, form.get("password", "")):
                return self._sign_in_form(form, error="Wrong username or password.")
            code = secrets.token_urlsafe(24)
            with provider.lock:
                provider.codes[code] = {
                    "claims": provider.claims(username),
                    "redirect_uri": form.get("redirect_uri", ""),
                    "nonce": form.get("nonce"),
                    "code_challenge": form.get("code_challenge"),
                }
            target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
            return self._send(302, b"", "text/plain", {"Location": target})

        def _token(self, form: dict[str, str]) -> None:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            if client_id != provider.client_id or not secrets.compare_digest(secret, provider.client_secret):
                return self._json(401, {"error": "invalid_client"})
            with provider.lock:
                grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                return self._json(400, {"error": "invalid_grant"})
            if grant["code_challenge"]:
                verifier = form.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                if digest != grant["code_challenge"]:
                    return self._json(400, {"error": "invalid_grant", "error_description": "PKCE check failed"})
            access_token = secrets.token_urlsafe(24)
            provider.access_tokens[access_token] = grant["claims"]
            return self._json(
                200,
                {
                    "access_token": access_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant["claims"], grant["nonce"]),
                },
            )

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("users", type=Path)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args()
    provider = Provider(issuer="", users=args.users, client_id=args.client_id, client_secret=args.client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(provider))
    port = server.server_address[1]
    provider.issuer = f"http://127.0.0.1:{port}"
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
