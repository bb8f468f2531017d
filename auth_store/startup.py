"""Start-up check of the credential keys: a wrong key stops the process, not a run hours later."""

from __future__ import annotations

import logging

from celery.signals import worker_init
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from auth_store.models import Authentication

logger = logging.getLogger(__name__)


def verify_credentials_keys() -> None:
    """Raises ImproperlyConfigured when CREDENTIAL_KEYS cannot decrypt stored credentials."""
    from auth_store.services import credentials_keys_verify

    try:
        if Authentication._meta.db_table not in connection.introspection.table_names():
            return  # not migrated yet: nothing stored, nothing to check
        credentials_keys_verify()
    finally:
        connection.close()  # forked processes must not share this connection


@worker_init.connect
def verify_credentials_keys_for_worker(**_: object) -> None:
    try:
        verify_credentials_keys()
    except ImproperlyConfigured as error:
        logger.critical("%s", error)
        # Celery logs and ignores an Exception from a signal handler; SystemExit stops it.
        raise SystemExit(f"Refusing to start: {error}") from None
