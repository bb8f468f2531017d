"""Each Slack operation through the worker: the exact request Slack receives, the exact output."""

from __future__ import annotations

import pytest

from tests.connectors.harness import step_run, vendor_headers
from tests.helpers import (
    SLACK_TOKEN,
    all_step_runs,
    run_workflow,
    single_step_definition,
    slack_authentication,
    string,
)

pytestmark = pytest.mark.django_db(transaction=True)

AUTHORIZATION = {"accept": "*/*", "authorization": f"Bearer {SLACK_TOKEN}"}
JSON_HEADERS = {**AUTHORIZATION, "content-type": "application/json;charset=utf-8"}
FORM_HEADERS = {**AUTHORIZATION, "content-type": "application/x-www-form-urlencoded"}
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Acme* renewed"}}]


def slack_step(authentication, operation, properties):
    return {
        "connector": "slack",
        "operation": operation,
        "authentication": authentication,
        "properties": properties,
    }


@pytest.mark.exercises("slack", "send_message")
@pytest.mark.exercises("manual", "manual")
def test_send_message_posts_text_and_blocks_then_replies_in_the_thread(
    api, celery_worker, fake_slack
):
    # Given a message to #general by name, and a reply in its thread to the channel by id
    authentication = slack_authentication(api, fake_slack)
    definition = single_step_definition(
        "slack",
        "send_message",
        {
            "channel": string("#general"),
            "text": string("Acme renewed"),
            "blocks": {"type": "array", "value": [{"type": "object", "value": {
                "type": string("section"),
                "text": {"type": "object", "value": {
                    "type": string("mrkdwn"), "text": string("*Acme* renewed")
                }},
            }}]},
        },
        authentication=authentication,
    )  # fmt: skip
    definition["steps_structure"].append({"name": "slack-2", "type": "normal"})
    definition["steps"]["slack-2"] = slack_step(
        authentication,
        "send_message",
        {
            "channel": {"type": "jsonpath", "value": "$.steps.slack-1.channel"},
            "text": string("Details in the thread"),
            "thread_ts": {"type": "jsonpath", "value": "$.steps.slack-1.ts"},
        },
    )

    run = run_workflow(api, definition)

    # Then Slack received two JSON posts, as slack-sdk sends them
    assert run["status"] == "succeeded", run
    first, reply = fake_slack.requests
    assert (first.method, first.path) == ("POST", "/api/chat.postMessage")
    assert vendor_headers(first) == JSON_HEADERS
    assert first.json == {"channel": "#general", "text": "Acme renewed", "blocks": BLOCKS}
    assert (reply.method, reply.path) == ("POST", "/api/chat.postMessage")
    assert vendor_headers(reply) == JSON_HEADERS
    assert reply.json == {
        "channel": "C0000000002",
        "text": "Details in the thread",
        "thread_ts": "1700000000.000001",
    }
    steps = all_step_runs(api, run["id"])
    assert step_run(steps, "slack-1")["output"] == {
        "ok": True,
        "channel": "C0000000002",
        "ts": "1700000000.000001",
        "message": {
            "type": "message",
            "subtype": "bot_message",
            "text": "Acme renewed",
            "bot_id": "B0000000001",
            "ts": "1700000000.000001",
            "blocks": BLOCKS,
        },
    }
    assert step_run(steps, "slack-2")["output"] == {
        "ok": True,
        "channel": "C0000000002",
        "ts": "1700000000.000002",
        "message": {
            "type": "message",
            "subtype": "bot_message",
            "text": "Details in the thread",
            "bot_id": "B0000000001",
            "ts": "1700000000.000002",
            "thread_ts": "1700000000.000001",
        },
    }
    assert [(m["channel"], m["thread_ts"]) for m in fake_slack.messages] == [
        ("C0000000002", None),
        ("C0000000002", "1700000000.000001"),
    ]


def test_send_message_without_text_or_blocks_fails_before_calling_slack(
    api, celery_worker, fake_slack
):
    definition = single_step_definition(
        "slack",
        "send_message",
        {"channel": string("#general")},
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["error"] == "Send message needs a Message text or Blocks."
    assert fake_slack.requests == []


@pytest.mark.exercises("slack", "list_conversations")
def test_list_conversations_follows_every_cursor(api, celery_worker, fake_slack):
    # Given five channels, one archived, listed two at a time
    definition = single_step_definition(
        "slack",
        "list_conversations",
        {
            "types": {
                "type": "array",
                "value": [string("public_channel"), string("private_channel")],
            },
            "exclude_archived": {"type": "boolean", "value": True},
            "limit": {"type": "integer", "value": 2},
        },
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)

    # Then two form posts were made, the second with the cursor of the first answer
    assert run["status"] == "succeeded", run
    first, second = fake_slack.requests
    assert [(r.method, r.path) for r in (first, second)] == [
        ("POST", "/api/conversations.list"),
        ("POST", "/api/conversations.list"),
    ]
    assert vendor_headers(first) == vendor_headers(second) == FORM_HEADERS
    page = {"types": "public_channel,private_channel", "exclude_archived": "1", "limit": "2"}
    assert first.form == page
    assert second.form == {**page, "cursor": "Y2hhbm5lbDpDMDAwMDAwMDAwNA=="}  # channel:C…04
    output = step_run(all_step_runs(api, run["id"]), "slack-1")["output"]
    expected = [c for c in fake_slack.channels if c["id"] != "C0000000003"]  # not the archived
    assert output == {"channels": expected}
    assert [c["name"] for c in output["channels"]] == [
        "customer-success",
        "general",
        "cs-leadership",
        "sales",
    ]


@pytest.mark.exercises("slack", "get_user_by_email")
def test_get_user_by_email_looks_the_user_up(api, celery_worker, fake_slack):
    definition = single_step_definition(
        "slack",
        "get_user_by_email",
        {"email": string("user0002@example.com")},
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    [request] = fake_slack.requests
    assert (request.method, request.path) == ("POST", "/api/users.lookupByEmail")
    assert vendor_headers(request) == FORM_HEADERS
    assert request.form == {"email": "user0002@example.com"}
    assert step_run(all_step_runs(api, run["id"]), "slack-1")["output"] == {
        "user": {
            "id": "U0000000002",
            "team_id": "T0000000001",
            "name": "user0002",
            "deleted": False,
            "real_name": "User 0002",
            "is_bot": False,
            "profile": {
                "email": "user0002@example.com",
                "real_name": "User 0002",
                "display_name": "user0002",
            },
        }
    }


def test_get_user_by_email_of_a_stranger_fails_with_slacks_code(api, celery_worker, fake_slack):
    definition = single_step_definition(
        "slack",
        "get_user_by_email",
        {"email": string("nobody@example.com")},
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["error"] == "Slack error on users.lookupByEmail: users_not_found"


@pytest.mark.exercises("slack", "raw_http_request")
def test_raw_http_request_calls_any_method_with_the_bot_token(api, celery_worker, fake_slack):
    definition = single_step_definition(
        "slack",
        "raw_http_request",
        {
            "method": string("POST"),
            "endpoint": string("conversations.list"),
            "body_type": string("form"),
            "body": {"type": "object", "value": {"limit": {"type": "integer", "value": 1}}},
        },
        authentication=slack_authentication(api, fake_slack),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    [request] = fake_slack.requests
    assert (request.method, request.path) == ("POST", "/api/conversations.list")
    assert vendor_headers(request) == FORM_HEADERS
    assert request.form == {"limit": "1"}
    response = step_run(all_step_runs(api, run["id"]), "slack-1")["output"]["response"]
    assert response["status_code"] == 200
    assert response["body"] == {
        "ok": True,
        "channels": [fake_slack.channels[0]],
        "response_metadata": {"next_cursor": "Y2hhbm5lbDpDMDAwMDAwMDAwMg=="},
    }
