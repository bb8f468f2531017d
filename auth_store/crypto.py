"""Authenticated encryption of credential values, with key ids so keys can rotate.

A stored value reads `fernet:<key id>:<Fernet token>`. CREDENTIAL_KEYS lists `id:key` pairs,
newest first: the newest encrypts, any listed key decrypts what it encrypted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet"


class CredentialDecryptionError(Exception):
    """A stored credential could not be decrypted with the configured keys."""


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    keys: dict[str, Fernet]

    def encrypt(self, plaintext: bytes) -> str:
        token = self.keys[self.primary_id].encrypt(plaintext).decode()
        return f"{PREFIX}:{self.primary_id}:{token}"

    def decrypt(self, stored: str) -> bytes:
        try:
            prefix, key_id, token = stored.split(":", 2)
        except ValueError:
            raise CredentialDecryptionError(
                "the stored value is not an encrypted credential"
            ) from None
        if prefix != PREFIX:
            raise CredentialDecryptionError(f"unknown encryption scheme {prefix!r}")
        key = self.keys.get(key_id)
        if key is None:
            raise CredentialDecryptionError(
                f"the key {key_id!r} that encrypted it is not in CREDENTIAL_KEYS"
            )
        try:
            return key.decrypt(token.encode())
        except InvalidToken:
            raise CredentialDecryptionError(
                f"the key {key_id!r} in CREDENTIAL_KEYS is not the key that encrypted it"
            ) from None

    def key_id_of(self, stored: str) -> str:
        """The id of the key a stored value names; "" if it names none (decrypt says why)."""
        parts = stored.split(":", 2)
        return parts[1] if len(parts) > 1 else ""


def parse_keys(raw: str) -> Keyring:
    keys: dict[str, Fernet] = {}
    primary = None
    for index, entry in enumerate(part.strip() for part in raw.split(",") if part.strip()):
        key_id, separator, key = entry.partition(":")
        if not separator or not key_id or not key:
            raise ImproperlyConfigured(
                f"CREDENTIAL_KEYS entry {index + 1} must read key_id:fernet_key."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"CREDENTIAL_KEYS names key {key_id!r} twice.")
        try:
            keys[key_id] = Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"CREDENTIAL_KEYS key {key_id!r} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None
        primary = primary or key_id
    if primary is None:
        raise ImproperlyConfigured("CREDENTIAL_KEYS holds no key.")
    return Keyring(primary_id=primary, keys=keys)


@cache
def keyring() -> Keyring:
    return parse_keys(settings.CREDENTIAL_KEYS)
