"""Encryption at rest and keyed hashes for sensitive personal information (PIPL art. 28).

A stored value is ``<key id>$<base64(nonce | AES-256-GCM ciphertext)>``. The key id lets several
keys decrypt while one encrypts, which is how keys are rotated without downtime: put a new key
first in FIELD_ENCRYPTION_KEYS, run ``manage.py rotate_keys``, then remove the old one.

The keyed hash (HMAC-SHA256 with FIELD_HASH_KEY) of the normalized value is stored beside the
ciphertext so that exact search and de-duplication work without decrypting anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEPARATOR = "$"


class DecryptionError(Exception):
    """A stored value that no configured key opens (a lost or removed key)."""


@dataclass(frozen=True)
class KeyRing:
    primary_id: str
    keys: dict[str, AESGCM]
    hash_key: bytes

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        ciphertext = self.keys[self.primary_id].encrypt(nonce, plaintext.encode(), None)
        return self.primary_id + SEPARATOR + base64.b64encode(nonce + ciphertext).decode()

    def decrypt(self, token: str) -> str:
        key_id, sep, body = token.partition(SEPARATOR)
        if not sep or key_id not in self.keys:
            raise DecryptionError(f"no key {key_id!r} configured for a stored value")
        raw = base64.b64decode(body)
        try:
            return self.keys[key_id].decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag as exc:
            raise DecryptionError(f"key {key_id!r} does not open a stored value") from exc

    def key_id_of(self, token: str) -> str:
        return token.partition(SEPARATOR)[0]

    def blind_index(self, value: str, purpose: str) -> str:
        """Keyed hash of a normalized value; ``purpose`` keeps ids and phones apart."""
        digest = hmac.new(self.hash_key, f"{purpose}\x00{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:40]


def _decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: a key is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: each key must be 32 bytes (base64 of 32 random bytes)")
    return key


def parse_keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    primary = None
    for entry in spec.split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, text = entry.partition(":")
        if not sep or not key_id or SEPARATOR in key_id:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS entries look like 'k2:BASE64KEY', separated by commas"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = AESGCM(_decode_key("FIELD_ENCRYPTION_KEYS", text))
        primary = primary or key_id
    if primary is None:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key")
    return primary, keys


@lru_cache(maxsize=4)
def _keyring(spec: str, hash_key: str) -> KeyRing:
    primary, keys = parse_keys(spec)
    return KeyRing(primary, keys, _decode_key("FIELD_HASH_KEY", hash_key))


def keyring() -> KeyRing:
    return _keyring(settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY)


def encrypt(value: str) -> str:
    return keyring().encrypt(value)


def decrypt(token: str) -> str:
    return keyring().decrypt(token)


def blind_index(value: str, purpose: str) -> str:
    return keyring().blind_index(value, purpose)
