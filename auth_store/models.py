"""The Authentication model: a named credential of one connector, personal or organisational."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from auth_store.crypto import keyring
from auth_store.redaction import register_secrets
from connectors.registry import get_connector


class Scope(models.TextChoices):
    PERSONAL = "personal", "Personal"
    ORGANISATIONAL = "organisational", "Organisational"


class Authentication(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    connector = models.CharField(max_length=100)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.PERSONAL)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="authentications"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authentications"
    )
    # The connector's non-secret fields (data center, base URL): shown back to the user.
    settings = models.JSONField(default=dict, blank=True)
    # The connector's secret fields (writeOnly in its schema) as encrypted JSON:
    # `fernet:<key id>:<token>`, written only by set_secrets.
    encrypted_secrets = models.TextField()
    # The names of the secret fields that hold a value, kept beside them so that showing an
    # authentication needs no decryption (and works when the keys cannot decrypt it).
    secret_names = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name", "created_at")

    def __str__(self) -> str:
        return f"{self.name} ({self.connector})"

    def __repr__(self) -> str:
        return f"<Authentication {self.id} {self.connector}>"

    @property
    def secrets(self) -> dict[str, Any]:
        """The decrypted secret fields; every value, and what the connector derives from
        them, is remembered for log redaction."""
        values = json.loads(keyring().decrypt(self.encrypted_secrets))
        register_secrets(self.secrets_and_derived(values))
        return values

    @property
    def values_to_redact(self) -> list[str]:
        """What nobody may read back: the secrets and what the connector sends made of them
        (a Basic header, say), which an endpoint echoing the request would show."""
        return self.secrets_and_derived(self.secrets)

    def secrets_and_derived(self, secrets: dict[str, Any]) -> list[str]:
        values = [value for value in secrets.values() if isinstance(value, str)]
        connector = get_connector(self.connector)
        if connector is not None and connector.authentication is not None:
            values += connector.authentication.derived_secrets({**self.settings, **secrets})
        return values

    def set_secrets(self, values: dict[str, Any]) -> None:
        self.encrypted_secrets = keyring().encrypt(json.dumps(values, sort_keys=True).encode())
        self.secret_names = sorted(values)

    @property
    def credentials(self) -> dict[str, Any]:
        return {**self.settings, **self.secrets}
