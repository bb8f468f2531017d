"""Reads settings from the environment: the one place the process environment is consulted."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured


def is_production() -> bool:
    """True when DJANGO_ENV says production: every secret must then be given, never generated."""
    return env_str("DJANGO_ENV", "local") == "production"


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be true or false, not {raw!r}."
    )


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a number, not {raw!r}."
        ) from error


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, local_file: Path, generate: Callable[[], str]) -> str:
    """A secret from the environment; locally, one generated once into `var/` and kept.

    In production a missing secret is a start-up error: generating one there would silently
    change it on every deploy and make stored credentials unreadable.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if is_production():
        raise ImproperlyConfigured(f"The environment variable {name} is required in production.")
    if local_file.exists():
        return local_file.read_text().strip()
    local_file.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    local_file.write_text(value + "\n")
    local_file.chmod(0o600)
    return value


def generate_secret_key() -> str:
    return secrets.token_urlsafe(50)


def generate_credential_key() -> str:
    return "k1:" + Fernet.generate_key().decode()
