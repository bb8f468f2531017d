"""A step that cannot do its work fails the run with an error that says why, before any harm."""

from __future__ import annotations

import pytest
from django.test import Client

from builder.models import Workflow
from tests.helpers import (
    all_step_runs,
    create_workflow,
    run_workflow,
    single_step_definition,
    slack_authentication,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def walkthrough(api, fake_totango, fake_slack):
    def build(**options):
        return walkthrough_definition(
            totango_auth=totango_authentication(api, fake_totango),
            slack_auth=slack_authentication(api, fake_slack),
            **options,
        )

    return build


def test_query_without_terms_fails_before_calling_totango(
    api, celery_worker, fake_totango, walkthrough
):
    run = run_workflow(api, walkthrough(query='{"fields": [], "count": 1000}'))

    assert run["status"] == "failed"
    assert run["failed_step"] == "totango-1"
    assert run["error"] == (
        "Search query string must contain a 'terms' array (it may be empty, as in "
        '{"terms": [], "fields": [], "count": 1000}); Totango refuses a query without it.'
    )
    assert fake_totango.requests == []


def test_query_that_is_not_json_fails_before_calling_totango(
    api, celery_worker, fake_totango, walkthrough
):
    run = run_workflow(api, walkthrough(query="terms: []"))

    assert run["status"] == "failed"
    assert run["failed_step"] == "totango-1"
    assert (
        run["error"]
        == "Search query string is not valid JSON: Expecting value: line 1 column 1 (char 0)."
    )
    assert fake_totango.requests == []


def test_unresolved_jsonpath_fails_the_step_naming_path_and_property(
    api, celery_worker, fake_slack, walkthrough
):
    definition = walkthrough()
    definition["steps"]["loop-1"]["properties"]["list"]["value"] = "$.steps.totango-1.hitz"

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["failed_step"] == "loop-1"
    assert run["error"] == "$.steps.totango-1.hitz in property 'list' did not resolve"
    steps = all_step_runs(api, run["id"])
    assert [(step["path"], step["status"]) for step in steps] == [
        ("trigger", "succeeded"),
        ("totango-1", "succeeded"),
        ("loop-1", "failed"),
    ]
    assert steps[2]["error"] == run["error"]
    assert fake_slack.messages == []


def test_unresolved_jsonpath_with_fallback_uses_the_fallback(
    api, celery_worker, fake_slack, walkthrough
):
    definition = walkthrough()
    definition["steps"]["loop-1"]["properties"]["list"] = {
        "type": "jsonpath",
        "value": "$.steps.totango-1.hitz",
        "fallback": {
            "type": "array",
            "value": [
                {
                    "type": "object",
                    "value": {"display_name": {"type": "string", "value": "Fallback Ltd"}},
                }
            ],
        },
    }

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    assert [message["text"] for message in fake_slack.messages] == [
        "New paying account: Fallback Ltd"
    ]


def test_trigger_payload_is_readable_as_steps_trigger(api, celery_worker, fake_slack):
    definition = single_step_definition(
        "slack",
        "send_message",
        {
            "channel": {"type": "jsonpath", "value": "$.steps.trigger.channel"},
            "text": {"type": "string", "value": "Hello {$.steps.trigger.who}"},
        },
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition, payload={"channel": "#general", "who": "team"})

    assert run["status"] == "succeeded", run
    assert [(m["channel"], m["text"]) for m in fake_slack.messages] == [
        ("C0000000002", "Hello team")
    ]


def test_raw_http_request_refuses_an_absolute_url(api, celery_worker, fake_totango):
    definition = single_step_definition(
        "totango",
        "raw_http_request",
        {
            "method": {"type": "string", "value": "GET"},
            "endpoint": {"type": "string", "value": "https://attacker.example/steal"},
        },
        authentication=totango_authentication(api, fake_totango),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["error"] == (
        "Endpoint 'https://attacker.example/steal' must be a path such as /api/v3/touchpoints/, "
        f"not an absolute URL: the base URL {fake_totango.base_url}/ is added for you."
    )
    assert fake_totango.requests == []


def test_raw_http_request_refuses_an_endpoint_that_leaves_the_base_url(
    api, celery_worker, fake_slack
):
    definition = single_step_definition(
        "slack",
        "raw_http_request",
        {
            "method": {"type": "string", "value": "GET"},
            "endpoint": {"type": "string", "value": "../_fake/requests"},
        },
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)
    definition["steps"]["slack-1"]["properties"]["endpoint"]["value"] = "%2e%2e/_fake/requests"
    encoded = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert (
        run["error"]
        == f"Endpoint '../_fake/requests' leaves the base URL {fake_slack.base_url}/api/."
    )
    assert encoded["status"] == "failed"
    assert encoded["error"] == (
        f"Endpoint '%2e%2e/_fake/requests' leaves the base URL {fake_slack.base_url}/api/."
    )
    assert fake_slack.requests == []


def test_raw_http_request_sends_the_request_with_the_connectors_auth(
    api, celery_worker, fake_totango
):
    definition = single_step_definition(
        "totango",
        "raw_http_request",
        {
            "method": {"type": "string", "value": "POST"},
            "endpoint": {"type": "string", "value": "/api/v3/touchpoints/"},
            "body_type": {"type": "string", "value": "json"},
            "body": {
                "type": "object",
                "value": {
                    "account_id": {"type": "string", "value": "acc-0001"},
                    "content": {"type": "string", "value": "Quarterly review done"},
                },
            },
        },
        authentication=totango_authentication(api, fake_totango),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    [request] = fake_totango.requests
    assert (request.method, request.path) == ("POST", "/api/v3/touchpoints/")
    assert request.headers["app-token"] == "totango-token"
    assert request.json == {"account_id": "acc-0001", "content": "Quarterly review done"}
    output = all_step_runs(api, run["id"])[1]["output"]
    assert output["response"]["status_code"] == 200
    assert output["response"]["body"]["note"]["account_id"] == "acc-0001"
    assert output["response"]["body"]["note"]["content"] == "Quarterly review done"


def test_replaced_totango_token_names_the_authentication(
    api, celery_worker, fake_totango, walkthrough
):
    definition = walkthrough()
    fake_totango.tokens = {"a-newer-token"}  # someone pressed Generate Token in Totango

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["failed_step"] == "totango-1"
    assert run["error"].startswith("Totango refused the API token (HTTP 401: ")
    assert run["error"].endswith("Authentication 'totango auth' needs a new token.")


def test_slack_error_code_is_the_steps_error(api, celery_worker, fake_slack, walkthrough):
    run = run_workflow(api, walkthrough(channel="#no-such-channel"))

    assert run["status"] == "failed"
    assert run["failed_step"] == "loop-1[0].slack-1"
    assert run["error"] == "Slack error on chat.postMessage: channel_not_found"


def test_deleted_authentication_fails_an_unattended_run_at_the_step_clearly(
    api, celery_worker, fake_slack, walkthrough
):
    # A webhook's run (no person to refuse it to, as Run workflow is) of a workflow whose
    # Slack authentication is deleted after it was enabled.
    definition = walkthrough()
    definition["trigger"] = {
        "connector": "webhook",
        "operation": "webhook",
        "properties": {
            "check": {"type": "string", "value": "none"},
            "reply": {"type": "string", "value": "immediately"},
        },
    }
    workflow = create_workflow(api, definition)
    enabled = api.patch(f"/api/workflows/{workflow['id']}/", {"enabled": True}, format="json")
    assert enabled.status_code == 200, enabled.json()
    slack_auth = definition["steps"]["slack-1"]["authentication"]
    refused = api.delete(f"/api/authentications/{slack_auth}/")
    assert refused.status_code == 409
    assert refused.json()["workflows"] == ["Walkthrough"]
    assert api.delete(f"/api/authentications/{slack_auth}/?force=true").status_code == 204
    token = Workflow.objects.get(id=workflow["id"]).webhook_token

    called = Client().post(f"/hooks/{token}/", {}, content_type="application/json")
    run = wait_for_run(api, called.json()["run_id"])

    assert run["status"] == "failed"
    assert run["failed_step"] == "loop-1[0].slack-1"
    assert run["error"] == (
        f"Authentication {slack_auth} no longer exists or may not be used by ada: "
        "choose another in the step's Authenticate tab."
    )
