"""The API describes itself: an OpenAPI schema and a Swagger UI served without any CDN."""

from __future__ import annotations

import pytest
import yaml

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
