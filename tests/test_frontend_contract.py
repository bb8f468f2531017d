"""The frontend's copy of the API contract (OpenAPI schema, TypeScript types, catalogue) is current."""

from __future__ import annotations

import difflib
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
OPENAPI = FRONTEND / "src/api/openapi.yaml"
TYPES = FRONTEND / "src/api/schema.d.ts"
CATALOGUE = FRONTEND / "src/test/fixtures/catalogue.json"
OPENAPI_TYPESCRIPT = FRONTEND / "node_modules/.bin/openapi-typescript"

REGENERATE = "regenerate it with `make api-contract`"


def stale_message(committed: Path, fresh: Path, command: str) -> str:
    diff = difflib.unified_diff(
        committed.read_text(encoding="utf-8").splitlines(),
        fresh.read_text(encoding="utf-8").splitlines(),
        fromfile=f"{committed.relative_to(ROOT)} (committed)",
        tofile="generated now",
        lineterm="",
        n=1,
    )
    shown = "\n".join(list(diff)[:40])
    return f"{committed.relative_to(ROOT)} is stale: {REGENERATE} (or `{command}`).\n{shown}"


def test_committed_openapi_schema_is_the_one_the_backend_generates(tmp_path):
    fresh = tmp_path / "openapi.yaml"

    call_command("spectacular", "--file", str(fresh))

    command = f"manage.py spectacular --file {OPENAPI.relative_to(ROOT)}"
    assert fresh.read_bytes() == OPENAPI.read_bytes(), stale_message(OPENAPI, fresh, command)


def test_committed_typescript_types_are_generated_from_the_backend_schema(tmp_path):
    assert OPENAPI_TYPESCRIPT.exists(), "frontend/node_modules is missing: run `make frontend`"
    schema = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(schema))
    fresh = tmp_path / "schema.d.ts"

    subprocess.run(
        [str(OPENAPI_TYPESCRIPT), str(schema), "--output", str(fresh)],
        cwd=FRONTEND,
        check=True,
        capture_output=True,
    )

    command = "cd frontend && npm run generate:api"
    assert fresh.read_bytes() == TYPES.read_bytes(), stale_message(TYPES, fresh, command)


def test_committed_catalogue_fixture_is_the_registry_catalogue(tmp_path):
    fresh = tmp_path / "catalogue.json"

    call_command("export_catalogue", "--file", str(fresh))

    command = f"manage.py export_catalogue --file {CATALOGUE.relative_to(ROOT)}"
    assert fresh.read_bytes() == CATALOGUE.read_bytes(), stale_message(CATALOGUE, fresh, command)


@pytest.mark.django_db
def test_catalogue_export_is_what_get_connectors_answers(api, tmp_path):
    exported = tmp_path / "catalogue.json"
    call_command("export_catalogue", "--file", str(exported))

    response = api.get("/api/connectors/")

    assert response.status_code == 200
    assert response.json() == json.loads(exported.read_text(encoding="utf-8"))
