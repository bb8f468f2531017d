"""manage.py export_catalogue: writes the connector catalogue as GET /api/connectors/ serves it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connectors.registry import catalogue


def catalogue_json() -> str:
    # Stable text (keys in declaration order, one-space indent, final newline) so a committed
    # copy only changes when the catalogue does.
    return json.dumps(catalogue(), indent=1, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Write the connector catalogue (GET /api/connectors/) as JSON: the frontend tests' "
        "fixture is `export_catalogue --file frontend/src/test/fixtures/catalogue.json`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="Where to write it; standard output if omitted.")

    def handle(self, *args: Any, file: str | None = None, **options: Any) -> None:
        text = catalogue_json()
        if file is None:
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
