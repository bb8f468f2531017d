"""Keeps secrets out of everything shown or logged: step records, errors, log lines."""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
# Parts of the names of fields and headers that carry credentials wherever they appear,
# lower case. Plain substring tests: several times faster than one regular expression.
SENSITIVE_NAME_PARTS = (
    *(
        f"{word}{separator}{suffix}"
        for word, suffixes in {
            "api": ("key", "token"),
            "access": ("token",),
            "refresh": ("token",),
            "bot": ("token",),
        }.items()
        for suffix in suffixes
        for separator in ("_", "-", "")
    ),
    "authorization",
    "app-token",
    "password",
    "secret",
    "cookie",
)


def is_sensitive_name(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in SENSITIVE_NAME_PARTS)


_known_secrets: set[str] = set()
_lock = threading.Lock()
_log_redactor: Redactor | None = None


def register_secrets(values: Iterable[str]) -> None:
    """Remembers decrypted secrets (and what connectors derive from them) so the log filter
    can redact them from any log line."""
    global _log_redactor
    new = {value for value in values if value} - _known_secrets
    if new:
        with _lock:
            _known_secrets.update(new)
            _log_redactor = None


def log_redactor() -> Redactor | None:
    """The redactor of every secret known to this process, rebuilt only when one is added."""
    global _log_redactor
    with _lock:
        if _log_redactor is None and _known_secrets:
            _log_redactor = Redactor(_known_secrets)
        return _log_redactor


def encoded_forms(secret: str) -> set[str]:
    """The secret as it travels URL-encoded (a query, a form, a path) or base64-encoded.

    Base64 inside a longer value (user:password, a JSON blob) depends on where the secret
    starts modulo 3 bytes: for each of the three alignments, the characters that encode the
    secret's bytes alone are the same wherever it sits, so those are redacted.
    """
    forms = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    data = secret.encode()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(data).decode("ascii"))
        for offset in range(3):
            encoded = encode(b"\0" * offset + data).decode("ascii")
            # Characters 6 bits each: skip those holding bits of the offset's bytes, stop
            # before the one holding bits of whatever follows the secret.
            start, end = -(-8 * offset // 6), 8 * (offset + len(data)) // 6
            forms.add(encoded[start:end])
    return {form for form in forms if form}


class Redactor:
    """Replaces every occurrence of the given secrets in a JSON value or a string.

    Every non-empty secret is redacted, whatever its length: authentication_create refuses
    secrets shorter than AUTHENTICATION_MIN_SECRET_LENGTH, so a short one can only be a value
    stored before that rule, and it is still a secret.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            # A secret with quotes, backslashes or newlines also appears escaped: in JSON
            # (and so in the fast check below) and in reprs inside error messages.
            forms.update((secret, json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]))
            forms.update(encoded_forms(secret))
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted(forms, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        # PostgreSQL cannot store NUL in text or jsonb; a binary body must not crash the run.
        return value.replace("\x00", "\ufffd") if "\x00" in value else value

    def value(self, value: Any) -> Any:
        """A copy of a JSON value with every secret, and every credential-named field, redacted."""
        return self.value_and_size(value)[0]

    def value_and_size(self, value: Any) -> tuple[Any, int]:
        """The redacted value and the length of its JSON, which the check computes anyway."""
        # A pass in C over the serialised value settles the common case: nothing to redact.
        serialised = json.dumps(value, ensure_ascii=False, default=str)
        if (
            not is_sensitive_name(serialised)
            and not any(secret in serialised for secret in self.secrets)
            and "\\u0000" not in serialised
        ):
            return value, len(serialised)
        return self._walk(value), len(serialised)

    def _walk(self, value: Any, key: str = "") -> Any:
        if isinstance(value, str):
            # A header or field named like a credential (Authorization, app-token, api_key…)
            # is redacted whole, even when its value is no stored secret.
            return REDACTED if key and is_sensitive_name(key) else self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self._walk(item, str(k)) for k, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._walk(item) for item in value]
        return value


class RedactSecretsFilter(logging.Filter):
    """A logging filter that redacts every secret this process has decrypted."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = log_redactor()
        if redactor is None:
            return True
        message = record.getMessage()
        redacted = redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redactor.text(formatted)
            record.exc_info = None
        return True
