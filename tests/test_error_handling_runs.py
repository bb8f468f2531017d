"""Error handling end to end (issue 13): through the API, a real worker and the fake Slack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    all_step_runs,
    create_workflow,
    jsonpath,
    run_workflow,
    slack_authentication,
    string,
    typed,
)

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNTS = 100
# The channels the fake Slack refuses, each as Slack answers for it.
REFUSED = {
    "channel-0010": "channel_not_found",
    "channel-0020": "not_in_channel",
    "channel-0030": "channel_not_found",
    "channel-0040": "not_in_channel",
    "channel-0050": "channel_not_found",
    "channel-0060": "not_in_channel",
    "channel-0070": "channel_not_found",
}
FALLBACK = "channel-0106"  # no account's own channel


@pytest.fixture
def slack(api, fake_slack):
    fake_slack.seed_channels(ACCOUNTS + 6)
    fake_slack.refuse_channels = dict(REFUSED)
    return slack_authentication(api, fake_slack)


def accounts() -> list[dict[str, Any]]:
    return [
        {"name": f"Account {n}", "channel": f"channel-{n + 5:04d}"} for n in range(1, ACCOUNTS + 1)
    ]


def slack_step(auth: str, channel: dict[str, Any], text: dict[str, Any]) -> dict[str, Any]:
    return {
        "connector": "slack",
        "operation": "send_message",
        "authentication": auth,
        "properties": {"channel": channel, "text": text},
    }


def accounts_definition(auth: str, mode: str) -> dict[str, Any]:
    """Loops over the trigger's accounts, posting each to its channel, with `mode`; in
    error_lane mode a failure posts to the fallback channel instead."""
    slack_1 = slack_step(
        auth, jsonpath("$.steps.loop-1.value.channel"), jsonpath("$.steps.loop-1.value.name")
    )
    slack_1["error_handling"] = {"mode": mode}
    node: dict[str, Any] = {"name": "slack-1", "type": "normal"}
    steps = {
        "loop-1": {
            "connector": "loop",
            "operation": "loop_list",
            "properties": {"list": jsonpath("$.steps.trigger.accounts")},
        },
        "slack-1": slack_1,
    }
    after: list[dict[str, Any]] = []
    if mode == "error_lane":
        # The lane posts the error to the fallback channel and counts it; after the loop, a
        # step reads the count.
        node["content"] = {
            "_error": [{"name": "slack-2", "type": "normal"}, {"name": "count-1", "type": "normal"}]
        }
        steps["slack-2"] = slack_step(
            auth, string(FALLBACK), jsonpath("$.steps.slack-1.error.message")
        )
        steps["count-1"] = {
            "connector": "storage",
            "operation": "atomic_increment",
            "properties": {"key": string("refused")},
        }
        steps["count-2"] = {
            "connector": "storage",
            "operation": "get_value",
            "properties": {"key": string("refused"), "default": typed(0)},
        }
        after.append({"name": "count-2", "type": "normal"})
    if mode == "continue":
        # After the loop, a step reads how many failures it continued.
        steps["count-1"] = {
            "connector": "storage",
            "operation": "set_value",
            "properties": {
                "key": string("refused"),
                "value": jsonpath("$.steps.loop-1.continued_failures"),
            },
        }
        after.append({"name": "count-1", "type": "normal"})
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "loop-1", "type": "loop", "content": {"_loop": [node]}},
            *after,
        ],
        "steps": steps,
    }


def test_continue_posts_to_93_channels_and_keeps_slacks_error_for_the_7_refused(
    api, celery_worker, fake_slack, slack
):
    run = run_workflow(api, accounts_definition(slack, "continue"), {"accounts": accounts()})

    assert run["status"] == "succeeded", run
    assert run["continued_failures"] == 7
    assert len(fake_slack.messages) == 93
    assert not {message["channel"] for message in fake_slack.messages} & {
        channel["id"] for channel in fake_slack.channels if channel["name"] in REFUSED
    }
    steps = all_step_runs(api, run["id"])
    continued = [step for step in steps if step["status"] == "continued"]
    assert len(continued) == 7
    [count] = [step for step in steps if step["path"] == "count-1"]
    assert count["output"] == {"value": 7}
    for step in continued:
        code = REFUSED[step["input"]["channel"]]
        assert step["error"] == f"Slack error on chat.postMessage: {code}"
        assert step["output"] == {
            "error": {
                "message": f"Slack error on chat.postMessage: {code}",
                "type": "vendor_error",
                "status_code": 200,
            }
        }


def test_an_error_lane_posts_to_the_fallback_channel_for_exactly_the_7_refused(
    api, celery_worker, fake_slack, slack
):
    run = run_workflow(api, accounts_definition(slack, "error_lane"), {"accounts": accounts()})

    assert run["status"] == "succeeded", run
    assert run["continued_failures"] == 7
    fallback_id = next(c["id"] for c in fake_slack.channels if c["name"] == FALLBACK)
    fallback = [m["text"] for m in fake_slack.messages if m["channel"] == fallback_id]
    assert sorted(fallback) == sorted(
        f"Slack error on chat.postMessage: {code}" for code in REFUSED.values()
    )
    assert len(fake_slack.messages) == 93 + 7
    steps = all_step_runs(api, run["id"])
    lane_paths = sorted(step["path"] for step in steps if step["step_name"] == "slack-2")
    refused_indexes = sorted(int(name.split("-")[1]) - 6 for name in REFUSED)
    assert lane_paths == sorted(f"loop-1[{index}].slack-2" for index in refused_indexes)
    [count] = [step for step in steps if step["path"] == "count-2"]
    assert count["output"] == {"value": 7}


def test_stop_fails_the_run_at_the_first_refused_channel(api, celery_worker, fake_slack, slack):
    run = run_workflow(api, accounts_definition(slack, "stop"), {"accounts": accounts()})

    assert run["status"] == "failed"
    assert run["failed_step"] == "loop-1[4].slack-1"
    assert run["error"] == "Slack error on chat.postMessage: channel_not_found"
    assert run["continued_failures"] == 0
    assert len(fake_slack.messages) == 4


def test_a_retried_step_sends_one_message_after_two_failures_each_in_its_log(
    api, celery_worker, fake_slack, slack
):
    fake_slack.fail_next_messages = 2
    step = slack_step(slack, string("channel-0006"), string("hello"))
    step["error_handling"] = {"retry": {"attempts": 3, "delay_seconds": 0}}
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "slack-1", "type": "normal"}],
        "steps": {"slack-1": step},
    }

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    assert [message["text"] for message in fake_slack.messages] == ["hello"]
    [_, slack_1] = all_step_runs(api, run["id"])
    assert slack_1["status"] == "succeeded"
    assert slack_1["retries"] == 2
    assert slack_1["log"] == [
        "Attempt 2 of 3 after 0 s: Slack error on chat.postMessage: channel_not_found",
        "Attempt 3 of 3 after 0 s: Slack error on chat.postMessage: channel_not_found",
    ]


def test_invalid_error_handling_is_a_problem_at_save_with_its_paths(api, slack):
    definition = accounts_definition(slack, "error_lane")
    definition["steps"]["slack-1"]["error_handling"] = {
        "mode": "error_lane",
        "retry": {"attempts": 11},
    }
    definition["steps"]["slack-2"]["error_handling"] = {"mode": "skip"}
    definition["steps"]["loop-1"]["error_handling"] = {"mode": "continue"}
    definition["trigger"]["error_handling"] = {"mode": "error_lane"}

    response = api.post("/api/workflows/", {"name": "Bad", "definition": definition}, format="json")

    assert response.status_code == 201, response.json()
    paths = sorted(error["path"] for error in response.json()["problems"])
    assert paths == [
        "steps.loop-1.error_handling",
        "steps.slack-1.error_handling.retry.attempts",
        "steps.slack-2.error_handling.mode",
        "trigger.error_handling",
    ]
    # Fixed, it has none.
    definition["steps"]["slack-1"]["error_handling"] = {"mode": "error_lane"}
    del definition["steps"]["slack-2"]["error_handling"]
    del definition["steps"]["loop-1"]["error_handling"]
    del definition["trigger"]["error_handling"]
    assert create_workflow(api, definition)["problems"] == []
