"""A run's life: queued, running, finished; cancelled on request; sent again when its message is lost.
(A lost worker's run resumes: tests/test_durable_runs.py.)

Slack holds its replies (FakeServer.hold) where a test must catch a run in the middle, and a
test proves nothing more happened only after a sign that all work is done: the run finished
and Slack served its last connection, or the worker logged the task's end.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from builder.models import Run, StepRun, Workflow
from builder.services.recovery import runs_recover
from builder.tasks import run_execute_task
from tests.helpers import (
    create_workflow,
    slack_authentication,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)
from tests.servers import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)

# The dedicated workers below wait for held replies as long as a test holds them.
PATIENT = {"CONNECTOR_HTTP_TIMEOUT": "300"}


def message_text(number: int) -> str:
    return f"New paying account: Account {number:04d}"


@pytest.fixture
def walkthrough(api, fake_totango, fake_slack) -> Workflow:
    """The walkthrough over the 25 seeded accounts: one Slack message per account."""
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )
    return Workflow.objects.get(id=create_workflow(api, definition)["id"])


def queued_run(workflow: Workflow, payload: object = None) -> Run:
    """A run stored as queued, not yet sent to any worker."""
    return Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
        trigger_payload=payload if payload is not None else {},
    )


def wait_until(condition: Callable[[], object], message: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.02)


def stored_steps(run_id: object) -> int:
    return StepRun.objects.filter(run_id=run_id).count()


def logged(worker: WorkerProcess, text: str) -> Callable[[], bool]:
    return lambda: text in Path(worker.log_path).read_text()


def test_cancel_stops_a_running_run_and_nothing_is_sent_after_it(
    api, patient_worker, fake_slack, walkthrough
):
    # Given the walkthrough running, Slack holding its 6th message
    fake_slack.hold()
    fake_slack.let_through(5)
    run_id = api.post(f"/api/workflows/{walkthrough.id}/runs/", {}, format="json").json()["id"]
    fake_slack.wait_until_held(1)

    # When it is cancelled
    response = api.post(f"/api/runs/{run_id}/cancel/")
    run = wait_for_run(api, run_id)
    # (Slack then answers the held message, and serves the run's connections to their end)
    fake_slack.release()
    fake_slack.wait_until_idle()

    # Then the run gave up the call in flight and stopped: nothing was sent after it
    assert response.status_code == 200
    assert response.json()["cancel_requested"] is True
    assert run["status"] == "cancelled"
    assert [message["text"] for message in fake_slack.messages] == [
        message_text(number) for number in range(1, 7)
    ]
    assert len(fake_slack.requests) == 6
    slack_steps = StepRun.objects.filter(run_id=run_id, step_name="slack-1").order_by("sequence")
    assert list(slack_steps.values_list("status", flat=True)) == ["succeeded"] * 5 + ["cancelled"]
    assert StepRun.objects.get(run_id=run_id, path="loop-1").status == "cancelled"


def test_cancel_of_a_finished_run_is_refused(api, celery_worker, walkthrough):
    run_id = api.post(f"/api/workflows/{walkthrough.id}/runs/", {}, format="json").json()["id"]
    wait_for_run(api, run_id)

    response = api.post(f"/api/runs/{run_id}/cancel/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The run cannot be cancelled: the run has already succeeded."
    }


def test_run_is_executed_once_when_delivered_twice(
    api, fake_slack, fake_totango, walkthrough, tmp_path
):
    # Given a run executing, Slack holding its first message, and its task delivered again
    # (as after a broker redelivery)
    fake_totango.seed_accounts(5)
    run = queued_run(walkthrough)
    worker = WorkerProcess(
        tmp_path / "worker.log", queue="redelivery", RUN_STALE_AFTER_SECONDS="2", **PATIENT
    )
    try:
        fake_slack.hold()
        first = run_execute_task.apply_async(args=[str(run.id)], queue="redelivery")
        fake_slack.wait_until_held(1)
        second = run_execute_task.apply_async(args=[str(run.id)], queue="redelivery")

        # When the second delivery finds the run executing, it comes back later
        wait_until(
            logged(worker, f"run_execute_task[{second.id}] retry:"), "the second was not retried"
        )
        fake_slack.release()
        for task in (first, second):
            wait_until(
                logged(worker, f"run_execute_task[{task.id}] succeeded"),
                f"delivery {task.id} did not finish",
            )
    finally:
        worker.stop()

    # Then the workflow ran once
    finished = api.get(f"/api/runs/{run.id}/").json()
    assert finished["status"] == "succeeded"
    assert [message["text"] for message in fake_slack.messages] == [
        message_text(number) for number in range(1, 6)
    ]
    assert len(fake_slack.requests) == 5
    assert stored_steps(run.id) == 3 + 5


def test_a_run_whose_message_was_lost_is_sent_again_and_runs_once(
    api, celery_worker, fake_slack, fake_totango
):
    # Given a run stored as queued long ago whose message never reached a worker
    fake_totango.seed_accounts(3)
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )
    workflow = Workflow.objects.get(id=create_workflow(api, definition)["id"])
    lost = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
        enqueued_at=timezone.now() - timedelta(seconds=settings.RUN_REQUEUE_AFTER_SECONDS + 1),
    )
    recent = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
        enqueued_at=timezone.now(),
    )

    # When the periodic sweep runs, twice
    first = runs_recover()
    second = runs_recover()
    run = wait_for_run(api, str(lost.id))

    # Then the lost run is sent again and runs once; the recently sent one is left alone
    assert first == (0, 1)
    assert second == (0, 0)
    assert run["status"] == "succeeded"
    assert len(fake_slack.messages) == 3
    assert Run.objects.get(id=recent.id).status == "queued"


def test_a_run_over_its_time_limit_is_stopped_between_steps_naming_the_limit(
    api, fake_slack, walkthrough, tmp_path
):
    # Given a run limited to 1 s, Slack holding its first message
    worker = WorkerProcess(
        tmp_path / "worker.log", queue="time-limit", RUN_TIME_LIMIT_SECONDS="1", **PATIENT
    )
    try:
        fake_slack.hold()
        run = queued_run(walkthrough)
        run_execute_task.apply_async(args=[str(run.id)], queue="time-limit")
        fake_slack.wait_until_held(1)

        # When Slack answers once the limit has passed (the run started before its call did)
        held_at = time.monotonic()
        wait_until(lambda: time.monotonic() - held_at > 1, "the limit has not passed")
        fake_slack.release()
        finished = wait_for_run(api, str(run.id), timeout=30)
    finally:
        worker.stop()

    # Then the run stops before its next step, saying which limit it went over
    assert finished["status"] == "failed"
    assert finished["error"] == (
        "The run went over its time limit of 1 seconds (RUN_TIME_LIMIT_SECONDS) "
        "and was stopped after this step."
    )
    assert finished["failed_step"] == "loop-1[0].slack-1"
    assert [message["text"] for message in fake_slack.messages] == [message_text(1)]
    loop = StepRun.objects.get(run_id=run.id, path="loop-1")
    assert loop.status == "failed"
    assert loop.error == "Stopped after 1 of 25 iterations: the run went over its time limit."


def test_a_finished_step_is_stored_while_the_next_waits_and_survives_a_crash(
    api, fake_slack, tmp_path
):
    # Given a message sent, then a second one that Slack holds
    authentication = slack_authentication(api, fake_slack)

    def message() -> dict:
        return {
            "connector": "slack",
            "operation": "send_message",
            "authentication": authentication,
            "properties": {
                "channel": {"type": "string", "value": "#general"},
                "text": {"type": "string", "value": "Hello"},
            },
        }

    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "slack-1", "type": "normal"},
            {"name": "slack-2", "type": "normal"},
        ],
        "steps": {"slack-1": message(), "slack-2": message()},
    }
    run = queued_run(Workflow.objects.get(id=create_workflow(api, definition)["id"]))
    worker = WorkerProcess(
        tmp_path / "worker.log", queue="slow-step", RUN_HEARTBEAT_SECONDS="0.2", **PATIENT
    )
    try:
        fake_slack.hold()
        fake_slack.let_through(1)
        run_execute_task.apply_async(args=[str(run.id)], queue="slow-step")
        fake_slack.wait_until_held(1)
        # The first step's record is stored while the second still waits for Slack
        wait_until(
            lambda: StepRun.objects.filter(run_id=run.id, path="slack-1").exists(),
            "the first step was not stored while the second waited",
        )
        assert fake_slack.held == 1

        # When the worker dies during the held call
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    finally:
        worker.stop()

    # Then the first step's record was already stored, so a retry will not send it again
    assert list(StepRun.objects.filter(run_id=run.id).values_list("path", "status")) == [
        ("trigger", "succeeded"),
        ("slack-1", "succeeded"),
    ]


def test_a_failure_outside_any_step_fails_the_run_naming_it(api, celery_worker):
    # Given a run whose first step record the database will refuse (its sequence is taken)
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [],
        "steps": {},
    }
    run = queued_run(Workflow.objects.get(id=create_workflow(api, definition)["id"]))
    StepRun.objects.create(
        run=run,
        sequence=1,
        path="taken",
        step_name="taken",
        connector="manual",
        operation="manual",
        status="succeeded",
        started_at=timezone.now(),
        duration_ms=1.0,
    )

    # When it runs
    run_execute_task.delay(str(run.id))
    finished = wait_for_run(api, str(run.id))

    # Then it fails, naming the error but not the database's words, and stores nothing more
    assert finished["status"] == "failed"
    assert finished["error"] == "Internal error while running the workflow: IntegrityError"
    assert finished["failed_step"] == "trigger"
    assert list(StepRun.objects.filter(run_id=run.id).values_list("path", flat=True)) == ["taken"]


def terminate_heartbeat_connection(run_id: uuid.UUID) -> int:
    """Ends the database connection of the run's heartbeat, as a database restart would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            """AND query LIKE 'SELECT 1 AS "a" FROM "builder_run"%%' AND query LIKE %s""",
            # Django writes the run's id into the query as 32 hex digits.
            [f"%{run_id.hex}%"],
        )
        return cursor.rowcount


def test_the_heartbeat_survives_losing_its_database_connection_and_loses_no_step(
    api, fake_slack, tmp_path
):
    # Given a loop listing Slack's channels six times (reads: their records wait for the
    # heartbeat's next beat), held at its first call, whose heartbeat has just beaten
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {
                "name": "loop-1",
                "type": "loop",
                "content": {"_loop": [{"name": "slack-1", "type": "normal"}]},
            }
        ],
        "steps": {
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": {"type": "jsonpath", "value": "$.steps.trigger.items"}},
            },
            "slack-1": {
                "connector": "slack",
                "operation": "list_conversations",
                "authentication": slack_authentication(api, fake_slack),
                "properties": {},
            },
        },
    }
    workflow = Workflow.objects.get(id=create_workflow(api, definition)["id"])
    worker = WorkerProcess(
        tmp_path / "worker.log", queue="heartbeat", RUN_HEARTBEAT_SECONDS="1", **PATIENT
    )
    try:
        fake_slack.hold()
        run = queued_run(workflow, payload={"items": list(range(6))})
        run_execute_task.apply_async(args=[str(run.id)], queue="heartbeat")
        fake_slack.wait_until_held(1)
        wait_until(lambda: stored_steps(run.id) == 1, "the trigger was not stored")
        beat = Run.objects.get(id=run.id).heartbeat_at
        wait_until(lambda: Run.objects.get(id=run.id).heartbeat_at != beat, "the heartbeat stopped")

        # When the heartbeat's database connection is cut, with three steps waiting to be
        # stored by its next beat
        wait_until(
            lambda: terminate_heartbeat_connection(run.id) == 1, "no heartbeat connection found"
        )
        killed_after = Run.objects.get(id=run.id).heartbeat_at
        fake_slack.let_through(3)
        fake_slack.wait_until_held(1)
        wait_until(
            logged(worker, f"Heartbeat of run {run.id} failed; trying again"),
            "the heartbeat did not meet the cut connection",
        )

        # Then it beats again on a new connection, and the run goes on to succeed
        wait_until(
            lambda: Run.objects.get(id=run.id).heartbeat_at != killed_after,
            "the heartbeat did not beat again",
        )
        fake_slack.release()
        finished = wait_for_run(api, str(run.id))
    finally:
        worker.stop()
    assert finished["status"] == "succeeded"
    assert len(fake_slack.requests_to("/api/conversations.list")) == 6
    # Every step is stored: the trigger, the loop and its six calls
    paths = set(StepRun.objects.filter(run_id=run.id).values_list("path", flat=True))
    assert paths == {"trigger", "loop-1"} | {f"loop-1[{index}].slack-1" for index in range(6)}
