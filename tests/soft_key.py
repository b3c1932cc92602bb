"""A security key in software: answers WebAuthn's registration and sign-in ceremonies as a real one does.

It signs with its own P-256 key, so the portal's checks (challenge, origin, relying party, signature) run in
full; only the hardware is missing. The origin is http://localhost, the one plain-http origin WebAuthn allows.
"""

from __future__ import annotations

import os
from hashlib import sha256
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

ORIGIN = "http://localhost"
FLAGS = AuthenticatorData.FLAG


class SoftKey:
    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _answer(self, client_data: CollectedClientData, response: dict[str, str]) -> dict[str, Any]:
        encoded_id = websafe_encode(self.credential_id)
        return {
            "id": encoded_id,
            "rawId": encoded_id,
            "type": "public-key",
            "response": {"clientDataJSON": websafe_encode(client_data), **response},
            "clientExtensionResults": {},
        }

    def register(self, options: dict[str, Any]) -> dict[str, Any]:
        """The credential a browser would post after `navigator.credentials.create(options)`."""
        public_key = options["publicKey"]
        client_data = CollectedClientData.create("webauthn.create", public_key["challenge"], ORIGIN)
        attested = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.private_key.public_key())
        )
        auth_data = AuthenticatorData.create(
            sha256(public_key["rp"]["id"].encode()).digest(), FLAGS.UP | FLAGS.UV | FLAGS.AT, self.counter, attested
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return self._answer(client_data, {"attestationObject": websafe_encode(attestation)})

    def sign(self, options: dict[str, Any]) -> dict[str, Any]:
        """The assertion a browser would post after `navigator.credentials.get(options)`."""
        public_key = options["publicKey"]
        self.counter += 1
        client_data = CollectedClientData.create("webauthn.get", public_key["challenge"], ORIGIN)
        auth_data = AuthenticatorData.create(
            sha256(public_key["rpId"].encode()).digest(), FLAGS.UP | FLAGS.UV, self.counter
        )
        signature = self.private_key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return self._answer(
            client_data,
            {"authenticatorData": websafe_encode(auth_data), "signature": websafe_encode(signature)},
        )
