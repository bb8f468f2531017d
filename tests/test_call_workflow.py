"""Call workflow through the real stack: a run calls a workflow with the Callable trigger, goes on
at once or parks (holding no worker) until the called run ends and is woken then; calls are
checked (organisation, trigger, depth) and linked both ways in the API.

The waiting callers look again only after an hour should no one wake them, and the session's
worker runs no sweep: a caller that finishes within a test's wait was woken by its called run's
end. Slack holds its replies (FakeServer.hold) where a test must catch a called run running.
(The engine alone, with a fake platform: tests/engine/test_call_workflow.py.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from builder.engine.executor import RunOutcome
from builder.models import Run, RunEvent, RunEventKind, RunStatus, RunTriggerKind, Workflow
from builder.services.calls import call_workflow
from builder.services.execution import run_park
from builder.services.runs import run_cancel, run_wake_caller
from tests.helpers import (
    create_member,
    create_workflow,
    jsonpath,
    poll,
    slack_authentication,
    start_run,
    string,
    typed,
    wait_for_run,
)

MANUAL = {"connector": "manual", "operation": "manual", "properties": {}}
CALLABLE = {"connector": "callable", "operation": "callable", "properties": {}}


def flow(trigger: dict[str, Any], **steps: dict[str, Any]) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "steps_structure": [{"name": name, "type": "normal"} for name in steps],
        "steps": steps,
    }


def call_step(workflow_id: str, mode: str, payload: dict[str, Any] | None = None) -> dict:
    return {
        "connector": "call_workflow",
        "operation": "call_workflow",
        "properties": {
            "workflow": string(workflow_id),
            "mode": string(mode),
            # Literal values, or typed ones (a jsonpath) as given.
            "payload": {
                "type": "object",
                "value": {
                    key: value if isinstance(value, dict) and "type" in value else typed(value)
                    for key, value in (payload or {}).items()
                },
            },
        },
    }


def answer_step(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "connector": "callable",
        "operation": "callable_response",
        "properties": {"value": value},
    }


def slack_step(authentication: str) -> dict[str, Any]:
    return {
        "connector": "slack",
        "operation": "send_message",
        "authentication": authentication,
        "properties": {
            "channel": string("#customer-success"),
            "text": string("Called for {$.steps.trigger.name}"),
        },
    }


def step_output(api: APIClient, run_id: str, path: str) -> Any:
    steps = api.get(f"/api/runs/{run_id}/steps/?limit=1000").json()["results"]
    [found] = [step for step in steps if step["path"] == path]
    return found


def child_of(parent_id: str) -> Run | None:
    return Run.objects.filter(parent_run_id=parent_id).first()


# --- Through the worker -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_waiting_parks_the_caller_until_the_called_run_answers_into_its_next_step(
    api, patient_worker, fake_slack
):
    # Given a callable workflow that posts to Slack, then answers with a greeting
    slack = slack_authentication(api, fake_slack)
    child = create_workflow(
        api,
        flow(
            CALLABLE,
            **{
                "slack-1": slack_step(slack),
                "answer-1": answer_step(
                    {
                        "type": "object",
                        "value": {
                            "greeting": string("Hello {$.steps.trigger.name}"),
                            "channel": jsonpath("$.steps.slack-1.channel"),
                        },
                    }
                ),
            },
        ),
        name="Greeter",
    )
    # and a workflow that calls it, waiting for the answer, and uses it in its next step
    parent = create_workflow(
        api,
        flow(
            MANUAL,
            **{
                "call-1": call_step(
                    child["id"], "wait", {"name": jsonpath("$.steps.trigger.name")}
                ),
                "text-1": {
                    "connector": "text_helpers",
                    "operation": "concatenate",
                    "properties": {
                        "values": {
                            "type": "array",
                            "value": [jsonpath("$.steps.call-1.response.greeting"), string("!")],
                        }
                    },
                },
            },
        ),
        name="Caller",
    )
    fake_slack.hold()

    # When the caller runs, while the called run's Slack message is held
    parent_id = start_run(api, parent, {"name": "Ada"})
    fake_slack.wait_until_held(1)
    called = poll(lambda: child_of(parent_id), "no run was called")
    waiting = poll(
        lambda: Run.objects.filter(id=parent_id, status=RunStatus.WAITING).first(),
        "the caller did not park while the called run ran",
    )
    called.refresh_from_db()

    # Then the caller waits (no worker holds it) while the called run runs
    assert called.status == RunStatus.RUNNING
    assert waiting.waiting_reason == f"waiting for Greeter (run {called.id})"
    event = RunEvent.objects.get(run_id=parent_id)
    assert (event.kind, event.step) == (RunEventKind.WAITING, "call-1")

    # And once Slack answers, the called run ends and the caller goes on at once with its answer
    fake_slack.release()
    finished = wait_for_run(api, parent_id)
    assert finished["status"] == "succeeded", finished
    answer = {
        "greeting": "Hello Ada",
        "channel": step_output(api, str(called.id), "slack-1")["output"]["channel"],
    }
    assert step_output(api, parent_id, "call-1")["output"] == {
        "run_id": str(called.id),
        "response": answer,
    }
    assert step_output(api, parent_id, "text-1")["output"] == {"result": "Hello Ada!"}
    assert [message["text"] for message in fake_slack.messages] == ["Called for Ada"]

    # And the two runs link to each other in the API
    child_run = api.get(f"/api/runs/{called.id}/").json()
    assert child_run["status"] == "succeeded"
    assert child_run["parent_run"] == parent_id
    assert child_run["parent_step"] == "call-1"
    assert child_run["trigger_kind"] == "callable"
    assert child_run["started_by"] is None
    assert child_run["call_depth"] == 1
    assert child_run["trigger_payload"] == {"name": "Ada"}
    assert child_run["response"] == {"value": answer}
    assert finished["children"] == [
        {
            "id": str(called.id),
            "workflow": child["id"],
            "workflow_name": "Greeter",
            "parent_step": "call-1",
            "status": "succeeded",
        }
    ]
    assert finished["parent_run"] is None
    listed = api.get(f"/api/runs/?workflow={parent['id']}").json()["results"]
    assert listed[0]["children"] == finished["children"]


@pytest.mark.django_db(transaction=True)
def test_fire_and_forget_outputs_the_run_id_at_once_while_the_called_run_goes_on(
    api, patient_worker, fake_slack
):
    slack = slack_authentication(api, fake_slack)
    child = create_workflow(api, flow(CALLABLE, **{"slack-1": slack_step(slack)}), name="Poster")
    parent = create_workflow(
        api,
        flow(MANUAL, **{"call-1": call_step(child["id"], "fire_and_forget", {"name": "Bob"})}),
        name="Launcher",
    )
    fake_slack.hold()

    # When the caller runs while the called run's Slack message is held
    parent_id = start_run(api, parent)
    finished = wait_for_run(api, parent_id)

    # Then the caller finished, never waiting, with the id of a run still running
    called = Run.objects.get(parent_run_id=parent_id)
    assert finished["status"] == "succeeded", finished
    assert finished["events"] == []
    assert step_output(api, parent_id, "call-1")["output"] == {"run_id": str(called.id)}
    fake_slack.wait_until_held(1)
    assert Run.objects.get(id=called.id).status == RunStatus.RUNNING

    # And the called run goes on by itself
    fake_slack.release()
    assert wait_for_run(api, str(called.id))["status"] == "succeeded"
    assert [message["text"] for message in fake_slack.messages] == ["Called for Bob"]


@pytest.mark.django_db(transaction=True)
def test_a_workflow_calling_itself_fails_at_depth_10_and_no_deeper_run_exists(api, celery_worker):
    # Given a callable workflow whose one step calls itself, waiting for the answer
    workflow = create_workflow(api, flow(CALLABLE), name="Ouroboros")
    response = api.put(
        f"/api/workflows/{workflow['id']}/",
        {
            "name": "Ouroboros",
            "definition": flow(CALLABLE, **{"call-1": call_step(workflow["id"], "wait")}),
            "version": workflow["version"],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()

    # When it is run
    root_id = start_run(api, workflow)
    root = wait_for_run(api, root_id, timeout=120)

    # Then the run 10 calls deep fails its call with a clear error, and every caller fails too
    limit_error = (
        "Call workflow went deeper than 10 levels (CALL_WORKFLOW_MAX_DEPTH): "
        "Ouroboros calls itself in a cycle?"
    )
    runs = Run.objects.filter(workflow_id=workflow["id"])
    assert sorted(runs.values_list("call_depth", flat=True)) == list(range(11))
    deepest = runs.get(call_depth=10)
    assert (deepest.status, deepest.failed_step, deepest.error) == ("failed", "call-1", limit_error)
    assert not Run.objects.filter(parent_run=deepest).exists()
    assert set(runs.values_list("status", flat=True)) == {"failed"}
    assert root["status"] == "failed"
    assert root["failed_step"] == "call-1"
    assert root["error"].startswith(
        f"The called workflow 'Ouroboros' failed (run {runs.get(call_depth=1).id}) at step call-1: "
    )
    assert root["error"].endswith(limit_error)


@pytest.mark.django_db(transaction=True)
def test_a_failing_called_run_fails_the_waiting_callers_step_naming_it(api, celery_worker):
    child = create_workflow(
        api,
        flow(
            CALLABLE,
            **{
                "map-1": {
                    "connector": "data_mapper",
                    "operation": "map_fields",
                    "properties": {
                        "data": jsonpath("$.steps.trigger.account"),
                        "mappings": typed([{"from": "id", "to": "account_id"}]),
                    },
                }
            },
        ),
        name="Mapper",
    )
    parent = create_workflow(
        api,
        flow(MANUAL, **{"call-1": call_step(child["id"], "wait", {"account": "not an object"})}),
    )

    parent_run = wait_for_run(api, start_run(api, parent))

    called = Run.objects.get(parent_run_id=parent_run["id"])
    assert called.status == RunStatus.FAILED
    assert called.failed_step == "map-1"
    assert parent_run["status"] == "failed"
    assert parent_run["failed_step"] == "call-1"
    assert parent_run["error"] == (
        f"The called workflow 'Mapper' failed (run {called.id}) at step map-1: {called.error}"
    )


@pytest.mark.django_db(transaction=True)
def test_cancelling_the_called_run_wakes_the_waiting_caller_whose_step_fails(api, celery_worker):
    # Given a caller waiting for a run that waits an hour (a Delay: parked too)
    child = create_workflow(
        api,
        flow(
            CALLABLE,
            **{
                "delay-1": {
                    "connector": "delay",
                    "operation": "delay",
                    "properties": {"wait_for": typed(1), "unit": string("hours")},
                }
            },
        ),
        name="Sleeper",
    )
    parent = create_workflow(api, flow(MANUAL, **{"call-1": call_step(child["id"], "wait")}))
    parent_id = start_run(api, parent)
    called = poll(
        lambda: Run.objects.filter(parent_run_id=parent_id, status=RunStatus.WAITING).first(),
        "the called run did not park",
    )
    poll(
        lambda: Run.objects.filter(id=parent_id, status=RunStatus.WAITING).exists(),
        "the caller did not park",
    )

    # When the called run is cancelled
    assert api.post(f"/api/runs/{called.id}/cancel/").status_code == 200

    # Then the caller resumes at once and its step fails, naming the called run
    finished = wait_for_run(api, parent_id)
    assert finished["status"] == "failed"
    assert finished["error"] == f"The called workflow 'Sleeper' was cancelled (run {called.id})."


@pytest.mark.django_db(transaction=True)
def test_calling_a_workflow_of_another_organisation_or_without_the_callable_trigger_fails(
    api, celery_worker
):
    # A callable workflow of another organisation, a manual one of ours, and no workflow at all
    stranger = create_member(Organisation.objects.create(name="Other Corp"), "eve", Role.OWNER)
    other_api = APIClient()
    other_api.force_authenticate(stranger)
    foreign = create_workflow(other_api, flow(CALLABLE), name="Theirs")
    manual = create_workflow(api, flow(MANUAL), name="Plain")
    missing = "00000000-0000-4000-8000-000000000000"
    errors = {}
    for target in (foreign["id"], manual["id"], missing, "not-a-uuid"):
        parent = create_workflow(api, flow(MANUAL, **{"call-1": call_step(target, "wait")}))
        run = wait_for_run(api, start_run(api, parent))
        assert (run["status"], run["failed_step"], run["children"]) == ("failed", "call-1", [])
        errors[target] = run["error"]

    def absent(target: str) -> str:
        return (
            f"Workflow {target} does not exist in this organisation: choose another in the "
            "step's Workflow property."
        )

    assert errors == {
        foreign["id"]: absent(foreign["id"]),
        manual["id"]: "Workflow 'Plain' cannot be called: its trigger is Manual trigger, not "
        "Callable. Give it the Callable trigger to call it from another workflow.",
        missing: absent(missing),
        "not-a-uuid": absent("not-a-uuid"),
    }
    assert not Run.objects.filter(workflow_id__in=[foreign["id"], manual["id"]]).exists()


# --- The services alone (no worker) ---------------------------------------------------------------


def stored_run(workflow: Workflow, **fields: Any) -> Run:
    return Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
        **fields,
    )


@pytest.fixture
def caller_and_callee(api) -> tuple[Workflow, Workflow]:
    callee = create_workflow(api, flow(CALLABLE), name="Callee")
    caller = create_workflow(api, flow(MANUAL, **{"call-1": call_step(callee["id"], "wait")}))
    return Workflow.objects.get(id=caller["id"]), Workflow.objects.get(id=callee["id"])


@pytest.mark.django_db
def test_a_step_asking_again_gets_the_run_it_started_the_first_time(caller_and_callee):
    caller, callee = caller_and_callee
    parent = stored_run(caller, status=RunStatus.RUNNING)

    first = call_workflow(
        run_id=parent.id, step_path="call-1", workflow_id=str(callee.id), payload={}, wait=False
    )
    again = call_workflow(
        run_id=parent.id, step_path="call-1", workflow_id=str(callee.id), payload={}, wait=False
    )
    other = call_workflow(
        run_id=parent.id,
        step_path="loop-1[1].call-1",
        workflow_id=str(callee.id),
        payload={},
        wait=False,
    )

    assert first == again
    assert other != first
    assert Run.objects.filter(parent_run=parent).count() == 2
    child = Run.objects.get(id=first["run_id"])
    assert (child.trigger_kind, child.started_by, child.call_depth) == (
        RunTriggerKind.CALLABLE,
        None,
        1,
    )


@pytest.mark.django_db
def test_the_end_of_a_called_run_wakes_its_caller_only_if_it_waits_at_that_call(
    caller_and_callee, django_capture_on_commit_callbacks
):
    caller, callee = caller_and_callee
    later = timezone.now() + timedelta(hours=1)
    waiting_at_call = stored_run(caller, status=RunStatus.WAITING, resume_at=later)
    waiting_elsewhere = stored_run(caller, status=RunStatus.WAITING, resume_at=later)
    for run, step in ((waiting_at_call, "call-1"), (waiting_elsewhere, "delay-1")):
        RunEvent.objects.create(
            run=run,
            at=timezone.now(),
            kind=RunEventKind.WAITING,
            step=step,
            reason="r",
            attempt=1,
            message="m",
        )
    ended = [
        stored_run(callee, status=RunStatus.SUCCEEDED, parent_run=parent, parent_step="call-1")
        for parent in (waiting_at_call, waiting_elsewhere)
    ]

    with django_capture_on_commit_callbacks() as sent:
        for run in ended:
            run_wake_caller(run_id=run.id)

    waiting_at_call.refresh_from_db()
    waiting_elsewhere.refresh_from_db()
    assert waiting_at_call.resume_at <= timezone.now()
    assert waiting_elsewhere.resume_at == later  # its Delay is not cut short
    assert len(sent) == 1


@pytest.mark.django_db
def test_a_caller_parking_after_its_called_run_ended_resumes_at_once(
    caller_and_callee, django_capture_on_commit_callbacks
):
    # The called run ended between the step's look and the park: its wake found the caller
    # still running, so the park sees the end itself.
    caller, callee = caller_and_callee
    parent = stored_run(caller, status=RunStatus.RUNNING)
    child = stored_run(callee, status=RunStatus.SUCCEEDED, parent_run=parent, parent_step="call-1")
    outcome = RunOutcome(
        status="waiting",
        resume_at=timezone.now() + timedelta(hours=1),
        waiting_reason=f"waiting for Callee (run {child.id})",
        waiting_step="call-1",
        waiting_for_run=str(child.id),
    )

    with django_capture_on_commit_callbacks() as sent:
        run_park(run_id=parent.id, attempt=1, outcome=outcome, progress={})

    parent.refresh_from_db()
    assert parent.status == RunStatus.WAITING
    assert parent.resume_at <= timezone.now()
    assert len(sent) == 1


@pytest.mark.django_db
def test_the_run_list_reads_every_runs_children_in_one_query(api, caller_and_callee):
    caller, callee = caller_and_callee

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/runs/").status_code == 200
        return len(captured)

    parent = stored_run(caller, status=RunStatus.SUCCEEDED)
    stored_run(callee, status=RunStatus.SUCCEEDED, parent_run=parent, parent_step="call-1")
    few = queries_for_a_page()
    for _ in range(5):
        parent = stored_run(caller, status=RunStatus.SUCCEEDED)
        for step in ("call-1", "call-2"):
            stored_run(callee, status=RunStatus.QUEUED, parent_run=parent, parent_step=step)

    assert queries_for_a_page() == few
    listed = {run["id"]: run for run in api.get("/api/runs/").json()["results"]}
    assert [child["parent_step"] for child in listed[str(parent.id)]["children"]] == [
        "call-1",
        "call-2",
    ]
    assert listed[str(parent.id)]["children"][0]["workflow_name"] == "Callee"


@pytest.mark.django_db
def test_cancelling_a_caller_cancels_the_called_run_it_waits_for_and_no_other(caller_and_callee):
    # Given a caller parked at call-1 waiting for its called run, which is itself waiting (at a
    # Delay, say), and a run it started at call-2 without waiting
    caller, callee = caller_and_callee
    later = timezone.now() + timedelta(hours=1)
    parent = stored_run(caller, status=RunStatus.WAITING, resume_at=later)
    RunEvent.objects.create(
        run=parent,
        at=timezone.now(),
        kind=RunEventKind.WAITING,
        step="call-1",
        reason="waiting for Callee",
        attempt=1,
        resume_at=later,
        message="Waiting for Callee",
    )
    waited_for = stored_run(
        callee, status=RunStatus.WAITING, resume_at=later, parent_run=parent, parent_step="call-1"
    )
    grandchild = stored_run(
        callee, status=RunStatus.QUEUED, parent_run=waited_for, parent_step="call-1"
    )
    fired_and_forgotten = stored_run(
        callee, status=RunStatus.QUEUED, parent_run=parent, parent_step="call-2"
    )

    # When the caller is cancelled
    run_cancel(run=parent)

    # Then the run it waits for is cancelled too; the runs nobody waits for go on (the
    # grandchild was started without waiting: its caller waits at a Delay)
    statuses = {
        name: Run.objects.get(id=run.id).status
        for name, run in (
            ("parent", parent),
            ("waited for", waited_for),
            ("grandchild", grandchild),
            ("fired and forgotten", fired_and_forgotten),
        )
    }
    assert statuses == {
        "parent": RunStatus.CANCELLED,
        "waited for": RunStatus.CANCELLED,
        "grandchild": RunStatus.QUEUED,
        "fired and forgotten": RunStatus.QUEUED,
    }
