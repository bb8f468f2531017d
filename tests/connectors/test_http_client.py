"""The HTTP client through the worker: any URL, each body type and each kind of authentication."""

from __future__ import annotations

import base64
import json

import pytest

from tests.connectors.harness import step_run, vendor_headers
from tests.helpers import (
    SLACK_TOKEN,
    TOTANGO_TOKEN,
    all_step_runs,
    create_authentication,
    run_workflow,
    single_step_definition,
    string,
)

pytestmark = pytest.mark.django_db(transaction=True)

TOTANGO_AUTH_FAILED = {
    "error": {
        "type": "authentication_failed",
        "message": "missing app-token header",
    }
}


def obj(**members):
    return {"type": "object", "value": {key: string(value) for key, value in members.items()}}


def http_definition(properties, authentication=None):
    return single_step_definition("http", "http_request", properties, authentication=authentication)


def run_http(api, properties, authentication=None):
    run = run_workflow(api, http_definition(properties, authentication))
    assert run["status"] == "succeeded", run
    output = step_run(all_step_runs(api, run["id"]), "http-1")["output"]
    # The date and the fake's server version change; every other header is asserted.
    for varying in ("date", "server"):
        output["headers"].pop(varying)
    return output


def json_headers(body) -> dict[str, str]:
    return {
        "content-type": "application/json; charset=utf-8",
        "content-length": str(len(json.dumps(body, separators=(",", ":")))),
    }


@pytest.mark.exercises("http", "http_request")
def test_get_without_authentication_sends_query_and_headers_and_returns_any_status(
    api, celery_worker, fake_totango
):
    # Given a GET to a Totango endpoint with no credential, keeping 4xx answers as output
    output = run_http(
        api,
        {
            "method": string("GET"),
            "url": string(f"{fake_totango.base_url}/api/v3/activity-types/"),
            "query_parameters": obj(page="2"),
            "headers": obj(**{"X-Trace": "abc"}),
            "fail_on_error_status": {"type": "boolean", "value": False},
        },
    )

    [request] = fake_totango.requests
    assert (request.method, request.path, request.query) == (
        "GET",
        "/api/v3/activity-types/",
        {"page": ["2"]},
    )
    assert vendor_headers(request) == {"accept": "*/*", "x-trace": "abc"}
    assert output == {
        "status_code": 401,
        "headers": json_headers(TOTANGO_AUTH_FAILED),
        "body": TOTANGO_AUTH_FAILED,
    }


@pytest.mark.exercises("http", "http_request")
def test_bearer_authentication_and_a_json_body(api, celery_worker, fake_slack):
    authentication = create_authentication(
        api, "http", {"auth_type": "bearer", "token": SLACK_TOKEN}
    )

    output = run_http(
        api,
        {
            "method": string("POST"),
            "url": string(f"{fake_slack.base_url}/api/chat.postMessage"),
            "body_type": string("json"),
            "body": obj(channel="#general", text="Hello from the HTTP client"),
        },
        authentication,
    )

    [request] = fake_slack.requests
    assert (request.method, request.path) == ("POST", "/api/chat.postMessage")
    assert vendor_headers(request) == {
        "accept": "*/*",
        "authorization": f"Bearer {SLACK_TOKEN}",
        "content-type": "application/json",
    }
    assert request.json == {"channel": "#general", "text": "Hello from the HTTP client"}
    body = {
        "ok": True,
        "channel": "C0000000002",
        "ts": "1700000000.000001",
        "message": {
            "type": "message",
            "subtype": "bot_message",
            "text": "Hello from the HTTP client",
            "bot_id": "B0000000001",
            "ts": "1700000000.000001",
        },
    }
    assert output == {"status_code": 200, "headers": json_headers(body), "body": body}


@pytest.mark.exercises("http", "http_request")
def test_basic_authentication_and_a_form_body(api, celery_worker, fake_slack):
    authentication = create_authentication(
        api, "http", {"auth_type": "basic", "username": "ada", "password": "s3cret-pass"}
    )

    output = run_http(
        api,
        {
            "method": string("POST"),
            "url": string(f"{fake_slack.base_url}/api/conversations.list"),
            "body_type": string("form"),
            "body": {
                "type": "object",
                "value": {
                    "token": string(SLACK_TOKEN),
                    "limit": {"type": "integer", "value": 1},
                    "exclude_archived": {"type": "boolean", "value": True},
                },
            },
        },
        authentication,
    )

    [request] = fake_slack.requests
    assert (request.method, request.path) == ("POST", "/api/conversations.list")
    assert vendor_headers(request) == {
        "accept": "*/*",
        "authorization": "Basic " + base64.b64encode(b"ada:s3cret-pass").decode(),
        "content-type": "application/x-www-form-urlencoded",
    }
    # Numbers and booleans as JSON spells them; the order of the fields is not kept (jsonb).
    assert request.form == {"token": SLACK_TOKEN, "limit": "1", "exclude_archived": "true"}
    # Slack reads its token from the Authorization header only: the answer comes back parsed.
    assert output["status_code"] == 200
    assert output["body"] == {"ok": False, "error": "not_authed"}


@pytest.mark.exercises("http", "http_request")
def test_header_authentication_with_a_base_url_takes_a_path_and_a_raw_body(
    api, celery_worker, fake_totango
):
    authentication = create_authentication(
        api,
        "http",
        {
            "auth_type": "header",
            "header_name": "app-token",
            "header_value": TOTANGO_TOKEN,
            "base_url": f"{fake_totango.base_url}/api/v3/",
        },
    )
    raw = '{"account_id": "acc-0001", "content": "Raw note", "create_date": 1700000000000}'

    output = run_http(
        api,
        {
            "method": string("POST"),
            "url": string("touchpoints/"),
            "headers": obj(**{"Content-Type": "application/json"}),
            "body_type": string("raw"),
            "body": string(raw),
        },
        authentication,
    )

    [request] = fake_totango.requests
    assert (request.method, request.path, request.body) == (
        "POST",
        "/api/v3/touchpoints/",
        raw.encode(),
    )
    assert vendor_headers(request) == {
        "accept": "*/*",
        "app-token": TOTANGO_TOKEN,
        "content-type": "application/json",
    }
    note = {
        "id": "tp-000001",
        "account_id": "acc-0001",
        "content": "Raw note",
        "create_date": 1_700_000_000_000,
    }
    assert output == {
        "status_code": 200,
        "headers": json_headers({"note": note}),
        "body": {"note": note},
    }


def test_a_credential_bound_to_a_base_url_is_never_sent_elsewhere(
    api, celery_worker, fake_totango, fake_slack
):
    authentication = create_authentication(
        api,
        "http",
        {
            "auth_type": "bearer",
            "token": "bound-token",
            "base_url": f"{fake_totango.base_url}/api/",
        },
    )

    run = run_workflow(
        api,
        http_definition(
            {"method": string("GET"), "url": string(f"{fake_slack.base_url}/api/auth.test")},
            authentication,
        ),
    )

    assert run["status"] == "failed"
    assert run["error"] == (
        f"URL '{fake_slack.base_url}/api/auth.test' is outside {fake_totango.base_url}/api/, "
        "the base URL of this authentication."
    )
    assert fake_slack.requests == []


def test_a_path_without_a_base_url_asks_for_a_full_url(api, celery_worker):
    run = run_workflow(api, http_definition({"method": string("GET"), "url": string("/api/items")}))

    assert run["status"] == "failed"
    assert run["error"] == (
        "URL '/api/items' must be a full URL such as https://api.example.com/items "
        "(a path alone needs an authentication with a Base URL)."
    )


def test_a_4xx_fails_the_step_by_default_with_the_body(api, celery_worker, fake_totango):
    run = run_workflow(
        api,
        http_definition(
            {
                "method": string("GET"),
                "url": string(f"{fake_totango.base_url}/api/v3/activity-types/"),
            }
        ),
    )

    assert run["status"] == "failed"
    assert run["error"] == (
        f"{fake_totango.host}:{fake_totango.port} answered HTTP 401: "
        + json.dumps(TOTANGO_AUTH_FAILED, separators=(",", ":"))
    )
