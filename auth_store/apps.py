"""App configuration: the credential keys are checked when the process starts, not at first use."""

from django.apps import AppConfig


class AuthStoreConfig(AppConfig):
    name = "auth_store"
    verbose_name = "Authentications"

    def ready(self) -> None:
        from accounts.services import member_removing
        from auth_store import startup  # noqa: F401  (connects the worker's key check)
        from auth_store.crypto import keyring
        from auth_store.services import authentications_hand_over

        # Removing someone from an organisation hands their authentications over.
        member_removing.connect(
            authentications_hand_over, dispatch_uid="auth_store.authentications_hand_over"
        )

        # A malformed key must stop the process now rather than fail a run hours later.
        keyring()
