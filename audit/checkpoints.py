"""Checkpoints of the audit chain, signed with Ed25519: anyone holding the public key can check one offline.

A checkpoint is the chain head (sequence number and hash) at a moment, kept
outside the database: whoever controls the database could rebuild the whole
chain, but not a chain that still holds the checkpoint's event with its hash.
It is signed with the key at settings.AUDIT_CHECKPOINT_KEY (an Ed25519 private
key, PEM), which the portal's operator keeps away from the database; the public
key is published at /audit/checkpoint-key.pem.

The checkpoint is one line of JSON: `payload` is the canonical JSON text
(docs/canonical-json.md) of {"at", "hash", "key", "seq"}, `signature` the
base64 Ed25519 signature of exactly that text's UTF-8 bytes, and `key` the
SHA-256 of the public key's DER, naming which key signed. With OpenSSL:

    jq -j .payload checkpoint.json > payload
    jq -r .signature checkpoint.json | base64 -d > signature
    openssl pkeyutl -verify -pubin -inkey checkpoint-key.pem -rawin -in payload -sigfile signature
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from audit.canonical import canonical_json


class CheckpointError(ValueError):
    """Not a checkpoint this key signed (malformed, or a bad signature)."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key: str


def _key_path() -> Path:
    value = str(getattr(settings, "AUDIT_CHECKPOINT_KEY", "") or "")
    if not value:
        raise ImproperlyConfigured("Set AUDIT_CHECKPOINT_KEY to the Ed25519 private key (PEM) that signs checkpoints.")
    path = Path(value)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def checkpoint_key_configured() -> bool:
    return bool(getattr(settings, "AUDIT_CHECKPOINT_KEY", ""))


def _private_key() -> Ed25519PrivateKey:
    path = _key_path()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"The checkpoint key {path} cannot be read: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"The checkpoint key {path} is not an Ed25519 key.")
    return key


def checkpoint_public_key() -> Ed25519PublicKey:
    return _private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or checkpoint_public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def checkpoint_sign(*, seq: int, hash: str, at: datetime) -> str:
    """One line of JSON: the head's canonical payload and its Ed25519 signature."""
    private = _private_key()
    payload = canonical_json({"seq": seq, "hash": hash, "at": at, "key": key_id(private.public_key())})
    signature = base64.b64encode(private.sign(payload.encode())).decode()
    return json.dumps({"payload": payload, "signature": signature}, ensure_ascii=False)


def checkpoint_read(text: str, *, public_key: Ed25519PublicKey | None = None) -> Checkpoint:
    """The checkpoint in `text`, once its signature is checked with `public_key` (the portal's, by default)."""
    try:
        outer = json.loads(text)
        payload, signature = outer["payload"], base64.b64decode(outer["signature"], validate=True)
        fields = json.loads(payload)
        checkpoint = Checkpoint(int(fields["seq"]), str(fields["hash"]), str(fields["at"]), str(fields["key"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise CheckpointError(f"Not a checkpoint: {exc}") from None
    key = public_key or checkpoint_public_key()
    try:
        key.verify(signature, payload.encode())
    except InvalidSignature:
        raise CheckpointError("The checkpoint's signature is not valid for this public key.") from None
    return checkpoint


def ed25519_key_write(path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
