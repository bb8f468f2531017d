"""Business actions on authentications: create, update, who may use them, connection tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts.errors import Conflict, DomainError, field_errors
from accounts.models import Membership
from accounts.services import membership_of
from auth_store.crypto import CredentialDecryptionError, keyring
from auth_store.models import Authentication, Scope
from auth_store.redaction import Redactor
from auth_store.usage import workflows_using
from connectors.errors import ConnectorError
from connectors.registry import describe_validation_error, get_connector, schema_validator
from connectors.sdk import (
    AuthenticationSpec,
    ClientSettings,
    Connector,
    OperationContext,
    ScriptLimits,
)


class AuthenticationInvalid(DomainError):
    """Bad authentication input, given as each bad field's path and what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The authentication is invalid.", errors=field_errors(errors))


class AuthenticationInUse(Conflict):
    def __init__(self, workflows: list[str]) -> None:
        super().__init__(
            f"Workflows use this authentication: {', '.join(workflows)}. "
            "Delete it with ?force=true to delete it anyway."
        )
        self.workflows = workflows

    def body(self) -> dict[str, Any]:
        return {**super().body(), "workflows": self.workflows}


def authentications_usable_by(user: User) -> QuerySet[Authentication]:
    """What a person may see and use: their personal ones and their organisation's."""
    membership = membership_of(user)
    if membership is None:
        return Authentication.objects.none()
    return Authentication.objects.filter(organisation_id=membership.organisation_id).filter(
        Q(owner=user) | Q(scope=Scope.ORGANISATIONAL)
    )


def authentications_hand_over(*, member: Membership, successor: User, **_: Any) -> None:
    """A person removed from their organisation: their organisational authentications pass to
    the person removing them (every member goes on using them); their personal ones are deleted,
    since nobody else may use them and a departed person's secrets have no reason to stay.
    Connected to accounts' `member_removing` (auth_store/apps.py)."""
    theirs = Authentication.objects.filter(
        organisation_id=member.organisation_id, owner=member.user
    )
    theirs.filter(scope=Scope.ORGANISATIONAL).update(owner=successor)
    theirs.filter(scope=Scope.PERSONAL).delete()


def authentication_editable_by(authentication: Authentication, user: User) -> bool:
    """Its creator may change it; owners and admins may change organisational ones too."""
    if authentication.owner_id == user.pk:
        return True
    membership = membership_of(user)
    return (
        membership is not None
        and membership.can_manage
        and authentication.scope == Scope.ORGANISATIONAL
        and authentication.organisation_id == membership.organisation_id
    )


def connector_with_authentication(key: str) -> Connector:
    connector = get_connector(key)
    if connector is None or connector.authentication is None:
        raise AuthenticationInvalid(
            {"connector": f"{key!r} is not a connector that takes authentication"}
        )
    return connector


def authentication_spec(connector: Connector) -> AuthenticationSpec:
    """The credential a connector takes, one connector_with_authentication found."""
    assert connector.authentication is not None, f"{connector.key} takes no authentication"
    return connector.authentication


def split_fields(
    connector: Connector,
    fields: Any,
    *,
    scope: str,
    previous_secrets: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validates the connector's fields and splits them into (settings, secrets).

    On update a secret left out keeps its stored value, so nobody has to re-enter it. Only
    the secrets of the chosen kind apply (a bearer token, not a Basic password): the others
    are not kept.
    """
    if not isinstance(fields, dict):
        raise AuthenticationInvalid({"fields": "must be an object of the connector's fields"})
    spec = authentication_spec(connector)
    secret_names = spec.secret_fields
    merged = {**(previous_secrets or {}), **{k: v for k, v in fields.items() if v is not None}}
    schema = spec.fields_schema
    defaults = {
        name: field["default"]
        for name, field in schema.get("properties", {}).items()
        if "default" in field and name not in merged
    }
    merged = {**defaults, **merged}
    errors: dict[str, str] = {}
    # Sorted by field path, so the same input always gets the same answer.
    for path, message in sorted(
        describe_validation_error(error, "fields")
        for error in schema_validator(schema).iter_errors(merged)
    ):
        errors.setdefault(path, message)
    for name, field in schema.get("properties", {}).items():
        if field.get("format") == "uri" and name in merged and not is_web_url(merged[name]):
            errors.setdefault(
                f"fields.{name}", f"'{name}' must be an http(s) URL such as https://example.com."
            )
    applicable = spec.secret_fields_for(merged)
    for path, message in {
        **short_secret_errors({name: merged.get(name) for name in applicable}),
        **organisational_errors(connector, scope=scope, settings=merged),
    }.items():
        errors.setdefault(path, message)
    if errors:
        raise AuthenticationInvalid(dict(sorted(errors.items())))
    settings = {name: value for name, value in merged.items() if name not in secret_names}
    secrets = {name: value for name, value in merged.items() if name in applicable}
    return settings, secrets


def short_secret_errors(secrets: dict[str, Any]) -> dict[str, str]:
    """Secrets too short to redact, by field path.

    Refused rather than redacted: a value of a few characters turns up by chance in ordinary
    output (ids, words, numbers), so redacting it would shred step runs, and each shredded
    spot would show a viewer where the secret occurs: a way to guess it. Every secret long
    enough to be saved is then redacted wherever it appears (auth_store/redaction.py).
    """
    minimum = django_settings.AUTHENTICATION_MIN_SECRET_LENGTH
    return {
        f"fields.{name}": f"'{name}' must be at least {minimum} characters: a shorter secret "
        "cannot be redacted safely (AUTHENTICATION_MIN_SECRET_LENGTH)."
        for name, value in secrets.items()
        if isinstance(value, str) and len(value) < minimum
    }


def organisational_errors(
    connector: Connector, *, scope: str, settings: dict[str, Any]
) -> dict[str, str]:
    """Fields an organisational authentication lacks: every member may use it, so it must say
    where its credential may go (an HTTP client credential without a base URL could be sent
    by anyone to any host)."""
    if scope != Scope.ORGANISATIONAL:
        return {}
    return {
        f"fields.{name}": f"'{name}' is required for an organisational authentication: every "
        "member may use it, so it must say where its credential may be sent."
        for name in authentication_spec(connector).organisational_requires
        if not settings.get(name)
    }


def authentication_missing_fields(authentication: Authentication) -> list[str]:
    """The fields a stored authentication lacks for its scope (see organisational_errors)."""
    connector = get_connector(authentication.connector)
    if connector is None or connector.authentication is None:
        return []
    errors = organisational_errors(
        connector, scope=authentication.scope, settings=authentication.settings
    )
    return [path.removeprefix("fields.") for path in errors]


def authentication_create(
    *, owner: User, name: str, connector: str, scope: str, fields: Any
) -> Authentication:
    spec_connector = connector_with_authentication(connector)
    settings, secrets = split_fields(spec_connector, fields, scope=scope)
    authentication = Authentication(
        organisation=owner.membership.organisation,
        owner=owner,
        name=name,
        connector=connector,
        scope=scope,
        settings=settings,
    )
    authentication.set_secrets(secrets)
    authentication.save()
    return authentication


def authentication_update(
    *,
    authentication: Authentication,
    name: str | None = None,
    scope: str | None = None,
    fields: Any = None,
) -> Authentication:
    if name is not None:
        authentication.name = name
    if scope is not None:
        authentication.scope = scope
    if fields is not None:
        connector = connector_with_authentication(authentication.connector)
        spec = authentication_spec(connector)
        previous = {**authentication.settings, **authentication.secrets}
        if settings_change(authentication, fields):
            # Where the secret is sent (data center, base URL) is changing: a stored secret
            # must not follow it, or anyone allowed to edit could send it to their own host.
            changed = {
                **authentication.settings,
                **{
                    k: v for k, v in fields.items() if v is not None and k not in spec.secret_fields
                },
            }
            missing = sorted(spec.secret_fields_for(changed) - {k for k, v in fields.items() if v})
            if missing:
                raise AuthenticationInvalid(
                    {
                        f"fields.{name}": f"'{name}' must be entered again when the other fields change."
                        for name in missing
                    }
                )
            previous = dict(authentication.settings)
        settings, secrets = split_fields(
            connector, fields, scope=authentication.scope, previous_secrets=previous
        )
        authentication.settings = settings
        authentication.set_secrets(secrets)
    elif scope is not None:
        registered = get_connector(authentication.connector)
        if registered is not None and registered.authentication is not None:
            errors = organisational_errors(
                registered, scope=scope, settings=authentication.settings
            )
            if errors:
                raise AuthenticationInvalid(errors)
    authentication.save()
    return authentication


def authentication_delete(*, authentication: Authentication, force: bool = False) -> None:
    """Deletes it; AuthenticationInUse while workflows use it, unless `force` (their runs will
    then fail, saying the authentication is gone)."""
    users = workflows_using(authentication)
    if users and not force:
        raise AuthenticationInUse(users)
    authentication.delete()


def settings_change(authentication: Authentication, fields: Any) -> bool:
    """True when an edit changes a non-secret field (which decides where secrets are sent)."""
    if not isinstance(fields, dict):
        return False
    spec = authentication_spec(connector_with_authentication(authentication.connector))
    return any(
        name not in spec.secret_fields
        and value is not None
        and authentication.settings.get(name) != value
        for name, value in fields.items()
    )


def is_web_url(value: Any) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is not None and parts.scheme in {"http", "https"} and bool(parts.netloc)


def client_settings() -> ClientSettings:
    return ClientSettings(
        timeout=django_settings.CONNECTOR_HTTP_TIMEOUT,
        max_retries=django_settings.CONNECTOR_MAX_RETRIES,
        max_retry_after=django_settings.CONNECTOR_MAX_RETRY_AFTER,
        max_response_bytes=django_settings.CONNECTOR_MAX_RESPONSE_BYTES,
        block_private_networks=django_settings.CONNECTOR_BLOCK_PRIVATE_NETWORKS,
        script=ScriptLimits(
            timeout_seconds=django_settings.SCRIPT_TIMEOUT_SECONDS,
            memory_limit_mb=django_settings.SCRIPT_MEMORY_LIMIT_MB,
            max_source_bytes=django_settings.SCRIPT_MAX_SOURCE_BYTES,
            max_log_lines=django_settings.SCRIPT_MAX_LOG_LINES,
        ),
    )


def authentication_test(*, authentication: Authentication) -> tuple[bool, str]:
    """Runs the connector's connection test: (worked, what happened in plain words)."""
    spec = authentication_spec(connector_with_authentication(authentication.connector))
    settings = client_settings()
    client = spec.client_factory(authentication.credentials, settings)
    context = OperationContext(
        step_name="connection-test", settings=settings, client=client, credentials=None
    )
    try:
        return True, spec.connection_test(context)
    except ConnectorError as error:
        # A vendor may quote the credential back in its error: never show it.
        return False, Redactor(authentication.values_to_redact).text(error.message)
    finally:
        client.close()


def credentials_rotate() -> tuple[int, int]:
    """Re-encrypts every credential not under the newest key; returns (rotated, total)."""
    current = keyring()
    rotated = total = 0
    for authentication_id in Authentication.objects.values_list("id", flat=True).iterator():
        total += 1
        with transaction.atomic():
            authentication = (
                Authentication.objects.select_for_update()
                .only("encrypted_secrets")
                .get(id=authentication_id)
            )
            if current.key_id_of(authentication.encrypted_secrets) == current.primary_id:
                continue
            authentication.set_secrets(authentication.secrets)
            authentication.save(update_fields=["encrypted_secrets"])
            rotated += 1
    return rotated, total


def credentials_keys_verify() -> int:
    """Proves the configured keys decrypt the stored credentials; ImproperlyConfigured if not.

    One credential per key id is enough: a key that decrypts one of its values decrypts all.
    Called when the web server and the workers start, so a wrong key stops the deployment
    instead of failing runs later.
    """
    current = keyring()
    checked_keys: set[str] = set()
    checked = 0
    for authentication in Authentication.objects.only("id", "encrypted_secrets").iterator():
        checked += 1
        key_id = current.key_id_of(authentication.encrypted_secrets)
        if key_id in checked_keys:
            continue
        try:
            current.decrypt(authentication.encrypted_secrets)
        except CredentialDecryptionError as error:
            raise ImproperlyConfigured(
                f"CREDENTIAL_KEYS cannot decrypt stored credentials: {error}. Restore the key "
                "that encrypted them (keys are listed newest first, as key_id:fernet_key)."
            ) from None
        checked_keys.add(key_id)
    return checked
