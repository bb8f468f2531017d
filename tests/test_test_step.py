"""Test step: one step of a saved workflow run alone, as a run would, with nothing recorded."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from builder.models import Run, RunEvent, StepRun
from tests.helpers import (
    SLACK_TOKEN,
    create_member,
    create_workflow,
    jsonpath,
    run_workflow,
    single_step_definition,
    slack_authentication,
    string,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)
from tests.test_webhooks import answering_definition

pytestmark = pytest.mark.django_db(transaction=True)


def test_step(api: APIClient, workflow: dict[str, Any], step: str, **body: Any) -> Any:
    return api.post(f"/api/workflows/{workflow['id']}/steps/{step}/test/", body, format="json")


test_step.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def recorded_counts() -> tuple[int, int, int]:
    return Run.objects.count(), StepRun.objects.count(), RunEvent.objects.count()


def concatenate_definition(values: list[dict[str, Any]]) -> dict[str, Any]:
    return single_step_definition(
        "text_helpers", "concatenate", {"values": {"type": "array", "value": values}}
    )


@pytest.fixture
def walkthrough(api, fake_totango, fake_slack) -> dict[str, Any]:
    fake_totango.seed_accounts(3)
    return walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )


def test_a_step_inside_a_loop_reads_the_latest_runs_outputs_and_records_nothing(
    api, celery_worker, walkthrough, fake_slack
):
    # Given one run of the connector guide's workflow, which posted 3 messages
    run = run_workflow(api, walkthrough)
    assert run["status"] == "succeeded"
    workflow = {"id": run["workflow"]}
    recorded = recorded_counts()

    # When the Slack step inside the loop is tested, confirmed
    response = test_step(api, workflow, "slack-1", confirm=True)

    # Then it ran on the first iteration's data, sent one message, and recorded nothing
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["input"] == {
        "channel": "#customer-success",
        "text": "New paying account: Account 0001",
    }
    assert result["output"]["message"]["text"] == "New paying account: Account 0001"
    assert result["error"] is None
    assert result["resolved_from"] == {
        "run": run["id"],
        "sample": False,
        "iterations": {"loop-1": 0},
    }
    assert result["duration_ms"] > 0
    assert [message["text"] for message in fake_slack.messages[3:]] == [
        "New paying account: Account 0001"
    ]
    assert recorded_counts() == recorded


def test_the_latest_run_with_the_outputs_the_step_reads_is_the_one_read(
    api, celery_worker, walkthrough, fake_totango
):
    # Given a run that succeeded, then one that failed at its search (Totango refusing the token)
    succeeded = run_workflow(api, walkthrough)
    fake_totango.tokens = set()
    workflow = {"id": succeeded["workflow"]}
    failed = api.post(f"/api/workflows/{workflow['id']}/runs/", {"payload": {}}, format="json")
    assert wait_for_run(api, failed.json()["id"])["status"] == "failed"

    # When the Slack step is tested without naming a run
    response = test_step(api, workflow, "slack-1", confirm=True)

    # Then it read the run that has the search's output, not the latest one
    assert response.json()["resolved_from"]["run"] == succeeded["id"]
    assert response.json()["input"]["text"] == "New paying account: Account 0001"


def test_the_iteration_chooses_which_items_data_a_step_in_a_loop_reads(
    api, celery_worker, walkthrough
):
    # Given one run of the connector guide's workflow over 3 accounts
    run = run_workflow(api, walkthrough)

    # When the Slack step is tested on the third iteration, then on a fourth that is not there
    third = test_step(api, {"id": run["workflow"]}, "slack-1", confirm=True, iteration=2)
    beyond = test_step(api, {"id": run["workflow"]}, "slack-1", confirm=True, iteration=3)

    # Then the third account's message is sent; the fourth is refused naming the field
    assert third.json()["input"]["text"] == "New paying account: Account 0003"
    assert third.json()["resolved_from"]["iterations"] == {"loop-1": 2}
    assert beyond.status_code == 400
    assert beyond.json()["errors"] == [{"path": "iteration", "message": "must be from 0 to 2"}]


def test_a_step_that_changes_a_vendor_asks_for_confirmation_first(api, walkthrough, fake_slack):
    # Given the guide's workflow, saved
    workflow = create_workflow(api, walkthrough)

    # When its Slack step is tested without confirming
    response = test_step(api, workflow, "slack-1", sample={"loop-1": {"value": {}}})

    # Then nothing is sent, and the answer says what to confirm
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "confirmation_required"
    assert (body["connector"], body["operation"]) == ("slack", "send_message")
    assert body["detail"] == (
        "Testing slack-1 runs Slack: Send message for real, which changes things in Slack. "
        "Test anyway?"
    )
    assert body["errors"] == [{"path": "confirm", "message": "must be true to run this step"}]
    assert fake_slack.messages == []
    sample = api.get(f"/api/workflows/{workflow['id']}/steps/slack-1/test/").json()
    assert sample["confirmation"] == body["detail"]


def test_sample_data_stands_in_for_a_run_before_any_run(api):
    # Given a workflow never run, joining the trigger's name and a greeting
    workflow = create_workflow(
        api, concatenate_definition([string("Hello"), jsonpath("$.steps.trigger.name")])
    )
    assert api.get(f"/api/workflows/{workflow['id']}/steps/text_helpers-1/test/").json() == {
        "sample": {},
        "run": None,
        "confirmation": None,
    }

    # When its step is tested on sample data
    response = test_step(api, workflow, "text_helpers-1", sample={"trigger": {"name": "Ada"}})

    # Then the sample's value is resolved into the input, and the output computed from it
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "input": {"values": ["Hello", "Ada"]},
        "output": {"result": "HelloAda"},
        "error": None,
        "log": [],
        "resolved_from": {"run": None, "sample": True, "iterations": {}},
        "duration_ms": response.json()["duration_ms"],
    }
    assert recorded_counts() == (0, 0, 0)


def test_sample_data_gives_a_loops_iteration(api, walkthrough, fake_slack):
    # Given the guide's workflow, never run
    workflow = create_workflow(api, walkthrough)

    # When its Slack step is tested with the loop's value given as sample data
    response = test_step(
        api,
        workflow,
        "slack-1",
        confirm=True,
        sample={"loop-1": {"value": {"display_name": "Sample Inc"}, "index": 4}},
    )

    # Then the message is built from it
    assert response.json()["input"]["text"] == "New paying account: Sample Inc"
    assert response.json()["resolved_from"]["iterations"] == {"loop-1": 4}
    assert [message["text"] for message in fake_slack.messages] == [
        "New paying account: Sample Inc"
    ]


def test_a_webhook_response_is_shown_and_not_stored(api):
    # Given a webhook workflow answering with the caller's name shouted back
    workflow = create_workflow(api, answering_definition())

    # When its response step is tested on sample data
    response = test_step(
        api,
        workflow,
        "reply-1",
        sample={"trigger": {"body": {"n": 7}}, "text-1": {"result": "ADA"}},
    )

    # Then the answer is its output, and no run holds it
    assert response.json()["output"] == {
        "status": 201,
        "headers": {"X-Greeting": "hello"},
        "body": {"greeting": "Hello ADA", "n": 7},
    }
    assert recorded_counts() == (0, 0, 0)


def test_a_path_that_does_not_resolve_is_the_steps_error_naming_it(api):
    # Given a step reading the trigger's name, and sample data without it
    workflow = create_workflow(api, concatenate_definition([jsonpath("$.steps.trigger.name")]))

    # When it is tested
    response = test_step(api, workflow, "text_helpers-1", sample={"trigger": {}})

    # Then it fails as in a run, naming the path and the property
    assert response.status_code == 200
    assert response.json()["error"] == {
        "message": "$.steps.trigger.name in property 'values' did not resolve"
    }
    assert response.json()["output"] is None


def test_a_secret_the_vendor_echoes_is_redacted(api, fake_slack):
    # Given a Slack step whose message quotes the bot token itself
    authentication = slack_authentication(api, fake_slack)
    workflow = create_workflow(
        api,
        single_step_definition(
            "slack",
            "send_message",
            {"channel": string("#customer-success"), "text": string(f"token {SLACK_TOKEN}")},
            authentication,
        ),
    )

    # When it is tested
    response = test_step(api, workflow, "slack-1", confirm=True)

    # Then the token Slack received and echoed back is redacted in the input and the output
    assert fake_slack.messages[0]["text"] == f"token {SLACK_TOKEN}"
    assert response.json()["input"]["text"] == "token [redacted]"
    assert response.json()["output"]["message"]["text"] == "token [redacted]"
    assert SLACK_TOKEN not in response.content.decode()


def test_a_viewer_may_read_the_sample_but_not_test(api, organisation):
    # Given a saved workflow and a viewer of the organisation
    workflow = create_workflow(api, concatenate_definition([string("x")]))
    viewer = APIClient()
    viewer.force_authenticate(create_member(organisation, "vera", Role.VIEWER))

    # When the viewer tests its step
    response = test_step(viewer, workflow, "text_helpers-1")

    # Then it is refused
    assert response.status_code == 403
    url = f"/api/workflows/{workflow['id']}/steps/text_helpers-1/test/"
    assert viewer.get(url).status_code == 200


def test_a_member_tests_only_with_the_authentications_they_may_use(api, organisation, fake_slack):
    # Given Ada's workflow using her personal Slack authentication, and Bob, a member
    workflow = create_workflow(
        api,
        single_step_definition(
            "slack",
            "send_message",
            {"channel": string("#customer-success"), "text": string("hello")},
            slack_authentication(api, fake_slack),
        ),
    )
    bob = APIClient()
    bob.force_authenticate(create_member(organisation, "bob", Role.MEMBER))

    # When Bob tests its step
    response = test_step(bob, workflow, "slack-1", confirm=True)

    # Then it fails as his run would: Ada's authentication is not his to use; nothing is sent
    assert response.status_code == 200
    assert "may not be used by bob" in response.json()["error"]["message"]
    assert fake_slack.messages == []


def test_another_organisations_workflow_is_not_found(api):
    # Given a workflow of another organisation
    elsewhere = Organisation.objects.create(name="Another company")
    stranger = APIClient()
    stranger.force_authenticate(create_member(elsewhere, "sam", Role.OWNER))
    workflow = create_workflow(api, concatenate_definition([string("x")]))

    # When its step is tested by someone outside
    response = test_step(stranger, workflow, "text_helpers-1")

    # Then it does not exist for them
    assert response.status_code == 404


def test_a_step_not_saved_is_not_found_and_a_loop_cannot_be_tested(api, walkthrough):
    workflow = create_workflow(api, walkthrough)

    missing = test_step(api, workflow, "mapper-9")
    loop = test_step(api, workflow, "loop-1")
    trigger = test_step(api, workflow, "trigger")

    assert missing.status_code == 404
    assert missing.json()["detail"] == "The saved workflow has no step 'mapper-9': save it first?"
    assert (loop.status_code, loop.json()["code"]) == (400, "step_not_testable")
    assert loop.json()["detail"] == (
        "Step loop-1 (Loop collection: Loop list) cannot be tested: a loop step does nothing "
        "on its own."
    )
    assert (trigger.status_code, trigger.json()["code"]) == (400, "step_not_testable")


def test_bad_sample_and_run_are_refused_naming_the_field(api):
    workflow = create_workflow(api, concatenate_definition([string("x")]))

    sample = test_step(api, workflow, "text_helpers-1", sample=[1])
    run = test_step(api, workflow, "text_helpers-1", run="8c0c5a6e-3a8e-4a37-9d2a-8f6d1f0b0c11")

    assert sample.status_code == 400
    assert [error["path"] for error in sample.json()["errors"]] == ["sample"]
    assert run.status_code == 400
    assert run.json()["errors"] == [
        {
            "path": "run",
            "message": "8c0c5a6e-3a8e-4a37-9d2a-8f6d1f0b0c11 is not a run of this workflow",
        }
    ]


def test_step_tests_a_minute_are_limited_by_a_setting(api, settings):
    # Given at most 2 step tests a minute
    settings.STEP_TEST_MAX_PER_MINUTE = 2
    workflow = create_workflow(api, concatenate_definition([string("x")]))

    # When a third is asked within the minute
    answers = [test_step(api, workflow, "text_helpers-1").status_code for _ in range(3)]

    # Then it is refused naming the setting
    assert answers == [200, 200, 429]
    refused = test_step(api, workflow, "text_helpers-1")
    assert "STEP_TEST_MAX_PER_MINUTE" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0


def test_a_step_slower_than_the_time_limit_is_stopped_naming_the_setting(api, fake_slack, settings):
    # Given a test time limit of half a second, and Slack answering after 3 seconds
    settings.STEP_TEST_TIMEOUT_SECONDS = 0.5
    authentication = slack_authentication(api, fake_slack, token=SLACK_TOKEN + "-slow")
    fake_slack.tokens = {SLACK_TOKEN + "-slow"}
    workflow = create_workflow(
        api,
        single_step_definition(
            "slack",
            "send_message",
            {"channel": string("#customer-success"), "text": string("hello")},
            authentication,
        ),
    )

    # When the step is tested
    response = test_step(api, workflow, "slack-1", confirm=True)

    # Then it is stopped at the limit, the error naming the setting
    assert response.json()["error"] == {
        "message": "The test went over its time limit of 0.5 seconds "
        "(STEP_TEST_TIMEOUT_SECONDS) and was stopped."
    }
    assert response.json()["duration_ms"] < 2000
