"""The Totango-to-Slack walkthrough at scale, and its variant with branches and a counted break."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import (
    all_step_runs,
    jsonpath,
    run_workflow,
    slack_authentication,
    string,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.exercises("totango", "search_data_raw")
@pytest.mark.exercises("loop", "loop_list")
@pytest.mark.exercises("slack", "send_message")
def test_walkthrough_fetches_every_page_of_2500_accounts_and_posts_each_in_order(
    api, celery_worker, fake_totango, fake_slack
):
    # Given 2,500 accounts and the walkthrough with "Fetch every page" on
    fake_totango.seed_accounts(2500)
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
        fetch_all_pages=True,
    )

    run = run_workflow(api, definition)

    # Then Totango was searched three times, a page of 1,000 from offsets 0, 1,000 and 2,000
    assert run["status"] == "succeeded", run
    queries = [
        json.loads(search.form["query"])
        for search in fake_totango.requests_to("/api/v1/search/accounts")
    ]
    assert [(query.get("offset", 0), query["count"]) for query in queries] == [
        (0, 1000),
        (1000, 1000),
        (2000, 1000),
    ]
    # And Slack received one message per account, in order
    assert [message["text"] for message in fake_slack.messages] == [
        f"New paying account: Account {number:04d}" for number in range(1, 2501)
    ]
    assert {message["channel"] for message in fake_slack.messages} == {"C0000000001"}
    assert len(all_step_runs(api, run["id"])) == 3 + 2500


def health_workflow(totango_auth: str, slack_auth: str) -> dict[str, Any]:
    """For each account: red ones to #cs-leadership and counted, the rest to
    #customer-success; the loop is broken once 10 red accounts were posted."""
    health = "$.steps.loop-1.value.selected_fields[0]"
    name = "{$.steps.loop-1.value.display_name}"
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "totango-1"},
            {
                "name": "loop-1",
                "type": "loop",
                "content": {
                    "_loop": [
                        {
                            "name": "branch-1",
                            "type": "branch",
                            "content": {
                                "red": [
                                    {"name": "slack-red"},
                                    {"name": "storage-1"},
                                    {
                                        "name": "boolean-1",
                                        "type": "branch",
                                        "content": {"true": [{"name": "break-1"}], "false": []},
                                    },
                                ],
                                "default": [{"name": "slack-other"}],
                            },
                        }
                    ]
                },
            },
        ],
        "steps": {
            "totango-1": {
                "connector": "totango",
                "operation": "search_data_raw",
                "authentication": totango_auth,
                "properties": {
                    "data_type": string("accounts"),
                    "query": string(
                        '{"terms": [], "fields": [{"type": "health", '
                        '"field_display_name": "Health"}], "count": 1000}'
                    ),
                },
            },
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": jsonpath("$.steps.totango-1.hits")},
            },
            "branch-1": {
                "connector": "branch",
                "operation": "branch",
                "properties": {
                    "value": jsonpath(health),
                    "cases": {
                        "type": "array",
                        "value": [
                            {
                                "type": "object",
                                "value": {"lane": string("red"), "value": string("red")},
                            }
                        ],
                    },
                },
            },
            "slack-red": {
                "connector": "slack",
                "operation": "send_message",
                "authentication": slack_auth,
                "properties": {
                    "channel": string("#cs-leadership"),
                    "text": string(f"Red account: {name}"),
                },
            },
            "storage-1": {
                "connector": "storage",
                "operation": "atomic_increment",
                "properties": {"key": string("red_accounts")},
            },
            "boolean-1": {
                "connector": "boolean",
                "operation": "boolean_condition",
                "properties": {
                    "conditions": {
                        "type": "array",
                        "value": [
                            {
                                "type": "object",
                                "value": {
                                    "value1": jsonpath("$.steps.storage-1.value"),
                                    "comparison": string(">="),
                                    "value2": {"type": "integer", "value": 10},
                                },
                            }
                        ],
                    }
                },
            },
            "break-1": {
                "connector": "loop",
                "operation": "break_loop",
                "properties": {"loop": string("loop-1")},
            },
            "slack-other": {
                "connector": "slack",
                "operation": "send_message",
                "authentication": slack_auth,
                "properties": {
                    "channel": string("#customer-success"),
                    "text": string(f"{name} is {{{health}}}"),
                },
            },
        },
    }


@pytest.mark.exercises("branch", "branch")
@pytest.mark.exercises("storage", "atomic_increment")
@pytest.mark.exercises("boolean", "boolean_condition")
@pytest.mark.exercises("loop", "break_loop")
def test_red_accounts_go_to_one_channel_the_rest_to_another_until_ten_red(
    api, celery_worker, fake_totango, fake_slack
):
    # Given 100 accounts whose health cycles green, yellow, red: every third one is red
    fake_totango.seed_accounts(100)
    definition = health_workflow(
        totango_authentication(api, fake_totango), slack_authentication(api, fake_slack)
    )

    run = run_workflow(api, definition)

    # Then the accounts up to the 10th red one (Account 0030) were posted, each to its channel
    assert run["status"] == "succeeded", run
    assert [(m["channel"], m["text"]) for m in fake_slack.messages] == expected_health_messages()
    # And the loop stopped there, broken by the 10th red account's iteration
    steps = all_step_runs(api, run["id"])
    [loop] = [step for step in steps if step["path"] == "loop-1"]
    assert loop["output"] == {"count": 100, "iterations": 30, "continued_failures": 0}
    counts = [step["output"]["value"] for step in steps if step["step_name"] == "storage-1"]
    assert counts == list(range(1, 11))
    [broken] = [step for step in steps if step["step_name"] == "break-1"]
    assert (broken["path"], broken["output"]) == ("loop-1[29].break-1", {"loop": "loop-1"})


def expected_health_messages() -> list[tuple[str, str]]:
    return [
        ("C0000000004", f"Red account: Account {n:04d}")
        if n % 3 == 0
        else ("C0000000001", f"Account {n:04d} is {'green' if n % 3 == 1 else 'yellow'}")
        for n in range(1, 31)
    ]


def test_retry_from_the_failed_step_rebuilds_the_red_count(
    api, celery_worker, fake_totango, fake_slack
):
    # Given the health workflow failing at its 20th message (channel_not_found)
    fake_totango.seed_accounts(100)
    definition = health_workflow(
        totango_authentication(api, fake_totango), slack_authentication(api, fake_slack)
    )
    fake_slack.fail_message_number = 20
    failed = run_workflow(api, definition)
    assert (failed["status"], failed["failed_step"]) == ("failed", "loop-1[19].slack-other")

    # When it is retried from the failed step once Slack is fine again
    fake_slack.fail_message_number = None
    response = api.post(f"/api/runs/{failed['id']}/retry/")
    assert response.status_code == 202, response.json()
    retried = wait_for_run(api, response.json()["id"])

    # Then the 19 messages sent before are not sent again, and the count of red accounts,
    # rebuilt by running the Data storage steps again, still breaks after the 10th
    assert retried["status"] == "succeeded", retried
    assert [(m["channel"], m["text"]) for m in fake_slack.messages] == expected_health_messages()
    steps = all_step_runs(api, retried["id"])
    counts = [(s["output"]["value"], s["reused"]) for s in steps if s["step_name"] == "storage-1"]
    assert counts == [(n, False) for n in range(1, 11)]
