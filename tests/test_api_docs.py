"""The API describes itself: an OpenAPI schema and a Swagger UI served without any CDN."""

from __future__ import annotations

import pytest
import yaml

from builder.models import Run
from builder.services import workflow_create

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_workflow_and_run_endpoints(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    assert {
        "/api/workflows/",
        "/api/workflows/{id}/",
        "/api/workflows/{id}/runs/",
        "/api/runs/",
        "/api/runs/{id}/",
        "/api/runs/{id}/cancel/",
        "/api/runs/{id}/steps/",
        "/api/connectors/",
        "/api/authentications/",
        "/api/authentications/{id}/test/",
        "/api/token/",
        "/api/setup/",
    } <= paths


def test_swagger_ui_is_served_from_our_own_static_files(api):
    response = api.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn." not in page


def test_lists_have_a_page_size_ceiling(api, user):
    workflow = workflow_create(user=user, name="Busy")
    version = workflow.versions.get()
    Run.objects.bulk_create(
        Run(workflow=workflow, workflow_version=version, started_by=user) for _ in range(501)
    )

    response = api.get("/api/runs/", {"limit": 1_000_000})

    assert response.status_code == 200
    assert response.json()["count"] == 501
    assert len(response.json()["results"]) == 500
