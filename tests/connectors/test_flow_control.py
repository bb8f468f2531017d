"""Continue loop and Terminate through the worker: a loop skips exactly the items its
condition names, and a run ends as told with the user's message."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    all_step_runs,
    jsonpath,
    run_workflow,
    slack_authentication,
    string,
    typed,
)

pytestmark = pytest.mark.django_db(transaction=True)


def slack_step(auth: str, channel: dict[str, Any], text: dict[str, Any]) -> dict[str, Any]:
    return {
        "connector": "slack",
        "operation": "send_message",
        "authentication": auth,
        "properties": {"channel": channel, "text": text},
    }


@pytest.mark.exercises("loop", "continue_loop")
@pytest.mark.exercises("terminate", "terminate")
def test_continue_loop_skips_the_items_its_condition_names_and_terminate_ends_the_run(
    api, celery_worker, fake_slack
):
    slack = slack_authentication(api, fake_slack)
    # Skip the accounts marked skip; stop the run, failed, at the one marked stop.
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {
                "name": "loop-1",
                "type": "loop",
                "content": {
                    "_loop": [
                        {
                            "name": "branch-1",
                            "type": "branch",
                            "content": {
                                "skip": [{"name": "continue-1", "type": "normal"}],
                                "stop": [{"name": "terminate-1", "type": "normal"}],
                                "default": [],
                            },
                        },
                        {"name": "slack-1", "type": "normal"},
                    ]
                },
            }
        ],
        "steps": {
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": jsonpath("$.steps.trigger.accounts")},
            },
            "branch-1": {
                "connector": "branch",
                "operation": "branch",
                "properties": {
                    "value": jsonpath("$.steps.loop-1.value.action"),
                    "cases": typed(
                        [{"value": "skip", "lane": "skip"}, {"value": "stop", "lane": "stop"}]
                    ),
                },
            },
            "continue-1": {
                "connector": "loop",
                "operation": "continue_loop",
                "properties": {"loop": string("loop-1")},
            },
            "terminate-1": {
                "connector": "terminate",
                "operation": "terminate",
                "properties": {
                    "status": jsonpath("$.steps.trigger.end_as"),
                    "message": string("Stopped at the account marked stop."),
                },
            },
            "slack-1": slack_step(
                slack, string("#customer-success"), jsonpath("$.steps.loop-1.value.name")
            ),
        },
    }
    items = [
        {"name": "a", "action": "send"},
        {"name": "b", "action": "skip"},
        {"name": "c", "action": "send"},
        {"name": "d", "action": "skip"},
        {"name": "e", "action": "stop"},
        {"name": "f", "action": "send"},
    ]

    failed = run_workflow(api, definition, {"accounts": items, "end_as": "failed"})

    assert failed["status"] == "failed"
    assert failed["failed_step"] == "loop-1[4].terminate-1"
    assert failed["error"] == "Stopped at the account marked stop."
    assert [message["text"] for message in fake_slack.messages] == ["a", "c"]
    statuses = {step["path"]: step["status"] for step in all_step_runs(api, failed["id"])}
    assert statuses["loop-1[4].terminate-1"] == "succeeded"

    succeeded = run_workflow(api, definition, {"accounts": items, "end_as": "succeeded"})

    assert succeeded["status"] == "succeeded"
    assert succeeded["error"] == ""
    assert [message["text"] for message in fake_slack.messages] == ["a", "c", "a", "c"]
