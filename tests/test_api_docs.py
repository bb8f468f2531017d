"""The API describes itself: an OpenAPI schema and a Swagger UI served without any CDN."""

from __future__ import annotations

import pytest
import yaml

from builder.models import Run
from builder.services.workflows import workflow_create

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


def load_schema(api) -> dict:
    response = api.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_openapi_schema_describes_the_connector_catalogue_as_a_list_of_connectors(api):
    schema = load_schema(api)

    answer = schema["paths"]["/api/connectors/"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Connector"},
    }
    connector = schema["components"]["schemas"]["Connector"]
    assert set(connector["properties"]) == {
        "key",
        "title",
        "description",
        "version",
        "icon_url",
        "is_trigger",
        "authentication",
        "operations",
    }
    operation = schema["components"]["schemas"]["ConnectorOperation"]
    assert {"key", "kind", "input_schema", "output_schema"} <= set(operation["properties"])


def test_openapi_schema_documents_every_answer_of_a_workflow_edit(api):
    schema = load_schema(api)

    responses = schema["paths"]["/api/workflows/{id}/"]["patch"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "404", "409", "413", "415"}
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    assert responses["413"] == {"$ref": "#/components/responses/PayloadTooLarge"}
    assert responses["400"] == {"$ref": "#/components/responses/BadRequest"}
    error = schema["components"]["responses"]["BadRequest"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_openapi_schema_documents_the_sign_in_lockout_with_retry_after(api):
    schema = load_schema(api)

    for path in ("/api/token/", "/api/auth/sign-in/"):
        responses = schema["paths"][path]["post"]["responses"]
        assert responses["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    too_many = schema["components"]["responses"]["TooManyRequests"]
    assert too_many["headers"]["Retry-After"]["required"] is True
