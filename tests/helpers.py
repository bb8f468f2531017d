"""Test helpers shared by the test files: typed values, factories through the API, run polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation, Role
from tests.fakes.slack import FakeSlack
from tests.fakes.totango import FakeTotango

ROOT = Path(__file__).resolve().parent.parent
TOTANGO_TOKEN = "totango-token"
SLACK_TOKEN = "xoxb-test-token"
RUN_FINISHED = {"succeeded", "failed", "cancelled"}


# --- Typed values of a step's properties ------------------------------------------------------


def string(value: str) -> dict[str, Any]:
    return {"type": "string", "value": value}


def jsonpath(path: str, fallback: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": "jsonpath", "value": path}
    if fallback is not None:
        found["fallback"] = fallback
    return found


def typed(value: Any) -> dict[str, Any]:
    """The typed value of a literal: {"type": "integer", "value": 3}, arrays and objects of them."""
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, int):
        return {"type": "integer", "value": value}
    if isinstance(value, float):
        return {"type": "number", "value": value}
    if isinstance(value, list):
        return {"type": "array", "value": [typed(item) for item in value]}
    if isinstance(value, dict):
        return {"type": "object", "value": {key: typed(item) for key, item in value.items()}}
    return string(value)


# --- People ---------------------------------------------------------------------------------------


def create_member(organisation: Organisation, username: str, role: str = Role.MEMBER) -> Any:
    person = get_user_model().objects.create_user(
        username=username, password="correct horse battery"
    )
    Membership.objects.create(user=person, organisation=organisation, role=role)
    return person


# --- Factories through the API ------------------------------------------------------------------


def create_authentication(
    api: APIClient, connector: str, fields: dict[str, Any], **extra: Any
) -> str:
    response = api.post(
        "/api/authentications/",
        {
            "name": f"{connector} auth",
            "connector": connector,
            "scope": "personal",
            "fields": fields,
            **extra,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def totango_authentication(api: APIClient, server: FakeTotango, token: str = TOTANGO_TOKEN) -> str:
    return create_authentication(
        api, "totango", {"api_token": token, "data_center": "custom", "base_url": server.base_url}
    )


def slack_authentication(api: APIClient, server: FakeSlack, token: str = SLACK_TOKEN) -> str:
    return create_authentication(
        api, "slack", {"bot_token": token, "base_url": server.base_url + "/api/"}
    )


INTERPOLATED_TEXT = {
    "type": "string",
    "value": "New paying account: {$.steps.loop-1.value.display_name}",
}


def walkthrough_definition(
    *,
    totango_auth: str | None,
    slack_auth: str | None,
    query: str = '{"terms": [], "fields": [], "count": 1000}',
    channel: str = "#customer-success",
    fetch_all_pages: bool | None = None,
    text: dict[str, Any] = INTERPOLATED_TEXT,
) -> dict[str, Any]:
    """The workflow of the Totango connector guide: search accounts, loop, post each to Slack.

    `text` is the message's typed value; the guide's connector-snake makes it the jsonpath
    `$.steps.loop-1.value.display_name`. Without authentications (None) it can be saved, not run.
    """
    totango_properties: dict[str, Any] = {
        "data_type": string("accounts"),
        "query": string(query),
    }
    if fetch_all_pages is not None:
        totango_properties["fetch_all_pages"] = typed(fetch_all_pages)
    totango: dict[str, Any] = {
        "title": "Search accounts",
        "connector": "totango",
        "operation": "search_data_raw",
        "properties": totango_properties,
    }
    slack: dict[str, Any] = {
        "connector": "slack",
        "operation": "send_message",
        "properties": {"channel": string(channel), "text": dict(text)},
    }
    if totango_auth is not None:
        totango["authentication"] = totango_auth
    if slack_auth is not None:
        slack["authentication"] = slack_auth
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "totango-1", "type": "normal"},
            {
                "name": "loop-1",
                "type": "loop",
                "content": {"_loop": [{"name": "slack-1", "type": "normal"}]},
            },
        ],
        "steps": {
            "totango-1": totango,
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": jsonpath("$.steps.totango-1.hits")},
            },
            "slack-1": slack,
        },
    }


def single_step_definition(
    connector: str, operation: str, properties: dict[str, Any], authentication: str | None = None
) -> dict[str, Any]:
    step: dict[str, Any] = {
        "connector": connector,
        "operation": operation,
        "properties": properties,
    }
    if authentication:
        step["authentication"] = authentication
    name = f"{connector}-1"
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": name, "type": "normal"}],
        "steps": {name: step},
    }


def create_workflow(
    api: APIClient, definition: dict[str, Any], name: str = "Walkthrough"
) -> dict[str, Any]:
    response = api.post("/api/workflows/", {"name": name, "definition": definition}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- Runs through the worker ----------------------------------------------------------------------


def wait_for_run(api: APIClient, run_id: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api.get(f"/api/runs/{run_id}/").json()
        if run["status"] in RUN_FINISHED:
            return run
        time.sleep(0.1)
    raise AssertionError(f"Run {run_id} did not finish within {timeout}s: {run}")


def all_step_runs(api: APIClient, run_id: str) -> list[dict[str, Any]]:
    steps, url = [], f"/api/runs/{run_id}/steps/?limit=1000"
    while url:
        page = api.get(url).json()
        steps.extend(page["results"])
        url = page["next"]
    return steps


def run_workflow(api: APIClient, definition: dict[str, Any], payload: Any = None) -> dict[str, Any]:
    """Saves the definition, runs it through the worker and returns the finished run."""
    workflow = create_workflow(api, definition)
    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/", {"payload": payload or {}}, format="json"
    )
    assert response.status_code == 202, response.json()
    return wait_for_run(api, response.json()["id"])


def start_run(api: APIClient, workflow: dict[str, Any], payload: Any = None) -> str:
    """Presses Run workflow through the API; returns the queued run's id."""
    response = api.post(
        f"/api/workflows/{workflow['id']}/runs/", {"payload": payload or {}}, format="json"
    )
    assert response.status_code == 202, response.json()
    return response.json()["id"]


def poll(condition: Callable[[], Any], message: str, timeout: float = 60.0) -> Any:
    """Calls `condition` until it returns something true, and returns that; fails with
    `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
