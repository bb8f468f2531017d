"""manage.py rotate_credentials_key: re-encrypts every credential under the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from auth_store.services import credentials_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored credential under the first key of CREDENTIAL_KEYS. Run it after "
        "putting a new key first (keeping the old ones listed); then the old keys can be removed. "
        "Safe while the app runs: each credential is rewritten in its own transaction."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rotated, total = credentials_rotate()
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {rotated} of {total} credentials under the newest key."
            )
        )
