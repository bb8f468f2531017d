"""App configuration: the credential keys are checked when the process starts, not at first use."""

from django.apps import AppConfig


class AuthStoreConfig(AppConfig):
    name = "auth_store"
    verbose_name = "Authentications"

    def ready(self) -> None:
        from auth_store import startup  # noqa: F401  (connects the worker's key check)
        from auth_store.crypto import keyring

        # A malformed key must stop the process now rather than fail a run hours later.
        keyring()
