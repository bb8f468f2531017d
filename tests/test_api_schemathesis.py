"""Every API operation answers as its OpenAPI schema says: schemathesis against /api/schema/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from accounts.services import token_for
from auth_store.services import authentication_create
from builder.models import Run, RunStatus, StepRun
from builder.services.workflows import workflow_create
from tests.helpers import TOTANGO_TOKEN, create_member

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Bounded and derandomised: the same cases every run, under a second per operation.
# SCHEMATHESIS_EXAMPLES=500 searches deeper, by hand (a few minutes).
EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))

# Strings that broke the API before (issue 9), mixed into the generated strings: a NUL
# character anywhere gave 500, jsonpaths like these were refused wrongly or failed later.
HOSTILE_STRINGS = ["\x00", "a\x00b", "$..x", "$.steps.trigger.`parent`"]

# The app in process, as gunicorn runs it (middleware, exception handling, 404 pages).
application = get_wsgi_application()
config = schemathesis.Config.from_dict(
    {
        "seed": 9,
        "dictionaries": {"hostile": {"values": HOSTILE_STRINGS}},
        "generation": {"dictionaries": {"string": {"dictionary": "hostile", "probability": 0.2}}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


class UndoRequest(Exception):
    """Rolls back what a request changed, so each case starts from the same seeded objects."""


@pytest.fixture
def app_keeps_test_connection() -> Iterator[None]:
    # Django's test client does the same: the real WSGI handler would otherwise close the
    # connection that holds the test's transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(organisation, fake_totango, app_keeps_test_connection) -> dict[str, Any]:
    """An owner and a viewer with tokens, and one of each object the paths name."""
    owner = create_member(organisation, "ada", Role.OWNER)
    viewer = create_member(organisation, "vic", Role.VIEWER)
    workflow = workflow_create(user=owner, name="Seeded")
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(),
        started_by=owner,
        status=RunStatus.FAILED,
        error="Seeded failure.",
        finished_at=timezone.now(),
    )
    StepRun.objects.create(
        run=run,
        sequence=1,
        path="trigger",
        step_name="trigger",
        connector="manual",
        operation="manual",
        status="succeeded",
        input={},
        output={"seeded": True},
        started_at=timezone.now(),
        duration_ms=1.0,
    )
    # Its connection test (POST .../test/) reaches the loopback fake, never a vendor.
    authentication = authentication_create(
        owner=owner,
        name="Seeded Totango",
        connector="totango",
        scope="organisational",
        fields={
            "api_token": TOTANGO_TOKEN,
            "data_center": "custom",
            "base_url": fake_totango.base_url,
        },
    )
    return {
        "tokens": {
            "owner": token_for(user=owner).key,
            "viewer": token_for(user=viewer).key,
        },
        "ids": {
            "/api/workflows/": str(workflow.id),
            "/api/runs/": str(run.id),
            "/api/authentications/": str(authentication.id),
            "/api/connectors/": "totango",
            "/api/organisation/members/": str(viewer.id),
        },
    }


def use_seeded_ids(case: schemathesis.Case, ids: dict[str, str]) -> None:
    """Points the case at the seeded objects: random ids would almost always be a 404."""
    path_parameters = case.path_parameters or {}
    for prefix, seeded_id in ids.items():
        if case.path.startswith(prefix) and "id" in path_parameters:
            path_parameters["id"] = seeded_id
    if "sequence" in path_parameters:
        path_parameters["sequence"] = "1"
    if case.query and "workflow" in case.query:
        case.query["workflow"] = ids["/api/workflows/"]


@schema.parametrize()
@schema.given(
    caller=st.sampled_from(["owner", "owner", "viewer", "anonymous"]),
    known_ids=st.booleans(),
)
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case, caller: str, known_ids: bool, seeded: dict[str, Any]
) -> None:
    # Given a caller (owner, viewer or nobody) and ids of seeded objects or random ones
    headers = {}
    if caller != "anonymous":
        headers["Authorization"] = f"Token {seeded['tokens'][caller]}"
    if known_ids:
        use_seeded_ids(case, seeded["ids"])

    # When the case is sent to the app, in a savepoint rolled back after it. A run it starts
    # stays queued: runs are sent to the workers on commit, and the test never commits.
    try:
        with transaction.atomic():
            response = case.call(headers=headers)
            raise UndoRequest
    except UndoRequest:
        pass

    # Then no 5xx, and the status, content type, body and headers are the documented ones
    case.validate_response(response, checks=CHECKS, headers=headers)
