"""manage.py check_credentials_keys: fails unless the configured keys decrypt every credential."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from auth_store.services import credentials_keys_verify


class Command(BaseCommand):
    help = "Check that CREDENTIAL_KEYS can decrypt every stored credential."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = credentials_keys_verify()
        self.stdout.write(self.style.SUCCESS(f"CREDENTIAL_KEYS decrypt all {checked} credentials."))
