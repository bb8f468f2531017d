"""What the debug panel reads: progress, step runs found and truncated, replay, retry from the failure."""

from __future__ import annotations

import time

import pytest

from builder.models import Run
from tests.helpers import (
    all_step_runs,
    create_workflow,
    run_workflow,
    slack_authentication,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def walkthrough(api, fake_totango, fake_slack):
    return walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )


def test_finished_run_shows_each_loops_progress(api, celery_worker, walkthrough):
    run = run_workflow(api, walkthrough)

    assert run["status"] == "succeeded"
    assert run["progress"] == {"current_step": "", "loops": {"loop-1": {"done": 25, "count": 25}}}
    assert run["trigger"] == "manual"
    assert run["started_by"] == "ada"
    [listed] = api.get("/api/workflows/").json()["results"]
    assert listed["last_run"]["id"] == run["id"]
    assert listed["last_run"]["status"] == "succeeded"


def progress_when(api, run_id: str, current_step: str, timeout: float = 30.0) -> dict:
    """The run's progress as the API reports it, once it names `current_step`."""
    deadline = time.monotonic() + timeout
    while True:
        progress = api.get(f"/api/runs/{run_id}/").json()["progress"]
        if progress.get("current_step") == current_step:
            return progress
        assert time.monotonic() < deadline, f"the progress never named {current_step}: {progress}"
        time.sleep(0.05)


def test_running_run_reports_the_step_running_now_and_the_loop_progress(
    api, patient_worker, fake_slack, fake_totango
):
    # Given the walkthrough over 4 accounts, Slack holding each message until let through
    fake_totango.seed_accounts(4)
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )
    workflow = create_workflow(api, definition)
    fake_slack.hold()
    run_id = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()["id"]

    # When each message is let through once the run reports it running
    seen = []
    for index in range(4):
        seen.append(progress_when(api, run_id, f"loop-1[{index}].slack-1"))
        fake_slack.let_through(1)
    run = wait_for_run(api, run_id)

    # Then each report named the message in flight and the iterations done before it
    assert seen == [
        {"current_step": "loop-1[0].slack-1", "loops": {}},
        *(
            {
                "current_step": f"loop-1[{done}].slack-1",
                "loops": {"loop-1": {"done": done, "count": 4}},
            }
            for done in range(1, 4)
        ),
    ]
    assert run["status"] == "succeeded"
    assert run["progress"] == {"current_step": "", "loops": {"loop-1": {"done": 4, "count": 4}}}


def test_retry_from_the_failed_step_sends_only_the_remaining_messages(
    api, celery_worker, fake_slack, fake_totango, walkthrough
):
    # Given a run that failed on its third message
    fake_slack.fail_message_number = 3
    failed = run_workflow(api, walkthrough)
    assert failed["status"] == "failed"
    assert failed["failed_step"] == "loop-1[2].slack-1"
    assert failed["error"] == "Slack error on chat.postMessage: channel_not_found"
    failed_steps = all_step_runs(api, failed["id"])
    assert [(step["path"], step["status"]) for step in failed_steps] == [
        ("trigger", "succeeded"),
        ("totango-1", "succeeded"),
        ("loop-1", "failed"),
        ("loop-1[0].slack-1", "succeeded"),
        ("loop-1[1].slack-1", "succeeded"),
        ("loop-1[2].slack-1", "failed"),
    ]
    assert failed_steps[2]["error"] == (
        "Iteration 3 of 25 failed at loop-1[2].slack-1: Slack error on chat.postMessage: channel_not_found"
    )

    # When it is retried from the failed step
    response = api.post(f"/api/runs/{failed['id']}/retry/")
    assert response.status_code == 202
    retried = wait_for_run(api, response.json()["id"])

    # Then only the remaining messages are sent, and nothing before the failure runs again
    assert retried["status"] == "succeeded", retried
    assert retried["retry_of"] == failed["id"]
    expected = [f"New paying account: Account {number:04d}" for number in range(1, 26)]
    assert [message["text"] for message in fake_slack.messages] == expected
    assert len(fake_totango.requests_to("/api/v1/search/accounts")) == 1
    steps = all_step_runs(api, retried["id"])
    reused = [step["path"] for step in steps if step["reused"]]
    assert reused == ["trigger", "totango-1", "loop-1[0].slack-1", "loop-1[1].slack-1"]
    assert len(steps) == 3 + 25
    outputs = {step["path"]: step["output"] for step in steps}
    assert outputs["loop-1[1].slack-1"] == failed_steps[4]["output"]


def test_only_a_failed_run_can_be_retried(api, celery_worker, walkthrough):
    run = run_workflow(api, walkthrough)

    response = api.post(f"/api/runs/{run['id']}/retry/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The run cannot be retried: only a failed run can be retried from its failed step; this one succeeded."
    }


def test_replay_runs_again_with_the_same_payload(api, celery_worker, fake_slack):
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "slack-1", "type": "normal"}],
        "steps": {
            "slack-1": {
                "connector": "slack",
                "operation": "send_message",
                "authentication": slack_authentication(api, fake_slack),
                "properties": {
                    "channel": {"type": "string", "value": "#general"},
                    "text": {"type": "string", "value": "Hello {$.steps.trigger.who}"},
                },
            }
        },
    }
    first = run_workflow(api, definition, payload={"who": "Grace"})

    response = api.post(f"/api/runs/{first['id']}/replay/")
    replayed = wait_for_run(api, response.json()["id"])

    assert response.status_code == 202
    assert replayed["status"] == "succeeded"
    assert replayed["trigger_payload"] == {"who": "Grace"}
    assert [message["text"] for message in fake_slack.messages] == ["Hello Grace", "Hello Grace"]


def test_large_payloads_arrive_truncated_and_load_whole_on_demand(
    api, celery_worker, fake_totango, walkthrough
):
    fake_totango.seed_accounts(1000)
    run = run_workflow(api, walkthrough)

    listed = api.get(f"/api/runs/{run['id']}/steps/?limit=3").json()["results"]
    whole = api.get(f"/api/runs/{run['id']}/steps/{listed[1]['sequence']}/").json()

    totango = listed[1]
    assert totango["path"] == "totango-1"
    assert totango["output_truncated"] is True
    assert totango["output"]["truncated"] is True
    assert totango["output"]["size"] == totango["output_size"] > 64 * 1024
    assert totango["output"]["preview"].startswith(
        '{"hits": [{"name": "acc-0001", "display_name": "Account 0001"'
    )
    assert len(totango["output"]["preview"]) == 2048
    assert totango["input_truncated"] is False
    assert whole["output_truncated"] is False
    assert len(whole["output"]["hits"]) == 1000


def test_step_runs_can_be_searched_and_filtered(api, celery_worker, walkthrough):
    run = run_workflow(api, walkthrough)
    url = f"/api/runs/{run['id']}/steps/"

    found = api.get(url, {"search": "Account 0007"}).json()["results"]
    slack_only = api.get(url, {"step": "slack-1", "limit": 5}).json()

    assert [step["path"] for step in found] == ["totango-1", "loop-1", "loop-1[6].slack-1"]
    assert slack_only["count"] == 25
    assert {step["step_name"] for step in slack_only["results"]} == {"slack-1"}
    assert api.get(url, {"status": "failed"}).json()["count"] == 0
    assert Run.objects.get(id=run["id"]).step_runs.count() == 28


def test_retry_runs_again_a_step_whose_operation_changed(api, celery_worker, fake_slack):
    # Given a run that posted with slack-1 and failed at slack-2
    slack = slack_authentication(api, fake_slack)

    def message(channel: str) -> dict:
        return {
            "connector": "slack",
            "operation": "send_message",
            "authentication": slack,
            "properties": {
                "channel": {"type": "string", "value": channel},
                "text": {"type": "string", "value": "Hello"},
            },
        }

    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "slack-1", "type": "normal"},
            {"name": "slack-2", "type": "normal"},
        ],
        "steps": {"slack-1": message("#general"), "slack-2": message("#nowhere")},
    }
    workflow = create_workflow(api, definition)
    failed = wait_for_run(
        api, api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()["id"]
    )
    assert failed["failed_step"] == "slack-2"

    # When slack-1 becomes another operation under the same name, and slack-2 is fixed
    definition["steps"]["slack-1"] = {
        "connector": "slack",
        "operation": "get_user_by_email",
        "authentication": slack,
        "properties": {
            "email": {"type": "string", "value": fake_slack.users[0]["profile"]["email"]}
        },
    }
    definition["steps"]["slack-2"] = message("#general")
    assert (
        api.patch(
            f"/api/workflows/{workflow['id']}/",
            {"version": 1, "definition": definition},
            format="json",
        ).status_code
        == 200
    )
    retried = wait_for_run(api, api.post(f"/api/runs/{failed['id']}/retry/").json()["id"])

    # Then slack-1 runs its new operation instead of reusing the old output
    assert retried["status"] == "succeeded", retried
    steps = {step["path"]: step for step in all_step_runs(api, retried["id"])}
    assert steps["trigger"]["reused"] is True
    assert steps["slack-1"]["reused"] is False
    assert steps["slack-1"]["output"]["user"]["id"] == fake_slack.users[0]["id"]
    assert [message["channel"] for message in fake_slack.messages] == ["C0000000002", "C0000000002"]
