"""A run's life: queued, running, finished; cancelled on request; never left running by a dead worker."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from builder import services
from builder.models import Run, StepRun, Workflow
from builder.tasks import run_execute_task
from tests.conftest import (
    WorkerProcess,
    create_workflow,
    slack_authentication,
    totango_authentication,
    wait_for_run,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def slow_walkthrough(api, fake_totango, fake_slack):
    """100 accounts, and a Slack that takes 50 ms per message: a run that lasts about 5 s."""
    fake_totango.seed_accounts(100)
    fake_slack.slow_seconds = 0.05
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack, token="xoxb-test-token-slow"),
    )
    return create_workflow(api, definition)


def wait_for_step_runs(run_id: str, at_least: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while StepRun.objects.filter(run_id=run_id).count() < at_least:
        assert time.monotonic() < deadline, "the run recorded too few steps"
        time.sleep(0.05)


def test_cancel_stops_a_running_run_between_steps(api, celery_worker, fake_slack, slow_walkthrough):
    run_id = api.post(f"/api/workflows/{slow_walkthrough['id']}/runs/", {}, format="json").json()[
        "id"
    ]
    wait_for_step_runs(run_id, at_least=8)

    response = api.post(f"/api/runs/{run_id}/cancel/")
    run = wait_for_run(api, run_id)

    assert response.status_code == 200
    assert response.json()["cancel_requested"] is True
    assert run["status"] == "cancelled"
    sent = len(fake_slack.messages)
    assert 5 <= sent < 100
    assert StepRun.objects.filter(run_id=run_id, step_name="slack-1").count() == sent
    time.sleep(0.5)
    assert len(fake_slack.messages) == sent  # nothing more is sent after the run ends


def test_cancel_of_a_finished_run_is_refused(api, celery_worker, slow_walkthrough, fake_slack):
    fake_slack.slow_seconds = 0
    run_id = api.post(f"/api/workflows/{slow_walkthrough['id']}/runs/", {}, format="json").json()[
        "id"
    ]
    wait_for_run(api, run_id)

    response = api.post(f"/api/runs/{run_id}/cancel/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The run cannot be cancelled: the run has already succeeded."
    }


def test_run_is_executed_once_when_delivered_twice(api, celery_worker, fake_slack, fake_totango):
    # Given a run whose task is delivered a second time (as after a broker redelivery)
    fake_totango.seed_accounts(5)
    definition = walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )
    workflow = create_workflow(api, definition)
    run_id = api.post(f"/api/workflows/{workflow['id']}/runs/", {}, format="json").json()["id"]
    run_execute_task.delay(run_id)

    run = wait_for_run(api, run_id)
    time.sleep(1.0)

    # Then the workflow ran once
    assert run["status"] == "succeeded"
    assert len(fake_slack.messages) == 5
    assert StepRun.objects.filter(run_id=run_id).count() == 3 + 5


def test_a_killed_worker_leaves_no_run_running(api, fake_slack, slow_walkthrough, tmp_path):
    # Given a worker of its own (on its own queue) executing a long run
    environment = {"RUN_STALE_AFTER_SECONDS": "1", "RUN_HEARTBEAT_SECONDS": "0.2"}
    worker = WorkerProcess(tmp_path / "doomed.log", queue="crash-test", **environment)
    workflow = Workflow.objects.get(id=slow_walkthrough["id"])
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
    )
    run_execute_task.apply_async(args=[str(run.id)], queue="crash-test")
    wait_for_step_runs(str(run.id), at_least=8)

    # When the worker is killed outright, with no chance to clean up
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    worker.stop()
    kept = StepRun.objects.filter(run_id=run.id).count()
    time.sleep(1.5)

    # Then the next worker to start fails the run, naming the cause, and keeps what ran
    successor = WorkerProcess(tmp_path / "successor.log", queue="crash-test", **environment)
    try:
        run = wait_for_run(api, str(run.id), timeout=20)
    finally:
        successor.stop()
    assert run["status"] == "failed"
    assert run["error"] == services.WORKER_LOST_ERROR
    assert StepRun.objects.filter(run_id=run["id"]).count() == kept >= 8
    assert Run.objects.get(id=run["id"]).finished_at <= timezone.now()


def pool_children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def test_a_killed_pool_process_gets_its_run_failed_by_the_redelivery(
    api, fake_slack, slow_walkthrough, tmp_path
):
    # Given a worker whose pool process executing a long run dies (out of memory, say)
    worker = WorkerProcess(
        tmp_path / "worker.log",
        queue="crash-test",
        RUN_STALE_AFTER_SECONDS="1",
        RUN_HEARTBEAT_SECONDS="0.2",
    )
    try:
        workflow = Workflow.objects.get(id=slow_walkthrough["id"])
        run = Run.objects.create(
            workflow=workflow,
            workflow_version=workflow.versions.get(version=workflow.version),
            started_by=workflow.created_by,
        )
        run_execute_task.apply_async(args=[str(run.id)], queue="crash-test")
        wait_for_step_runs(str(run.id), at_least=8)
        for child in pool_children(worker.process.pid):
            os.kill(child, signal.SIGKILL)

        # Then the redelivered task finds the run's heartbeat stale and fails it
        finished = wait_for_run(api, str(run.id), timeout=30)
    finally:
        worker.stop()
    assert finished["status"] == "failed"
    assert finished["error"] == services.WORKER_LOST_ERROR
    assert len(fake_slack.messages) < 100


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
    first = services.runs_recover()
    second = services.runs_recover()
    run = wait_for_run(api, str(lost.id))

    # Then the lost run is sent again and runs once; the recently sent one is left alone
    assert first == (0, 1)
    assert second == (0, 0)
    assert run["status"] == "succeeded"
    assert len(fake_slack.messages) == 3
    assert Run.objects.get(id=recent.id).status == "queued"


def test_a_run_over_its_time_limit_is_stopped_between_steps_naming_the_limit(
    api, fake_slack, slow_walkthrough, tmp_path
):
    worker = WorkerProcess(tmp_path / "worker.log", queue="time-limit", RUN_TIME_LIMIT_SECONDS="1")
    try:
        workflow = Workflow.objects.get(id=slow_walkthrough["id"])
        run = Run.objects.create(
            workflow=workflow,
            workflow_version=workflow.versions.get(version=workflow.version),
            started_by=workflow.created_by,
        )
        run_execute_task.apply_async(args=[str(run.id)], queue="time-limit")
        finished = wait_for_run(api, str(run.id), timeout=30)
    finally:
        worker.stop()

    assert finished["status"] == "failed"
    assert finished["error"] == (
        "The run went over its time limit of 1 seconds (RUN_TIME_LIMIT_SECONDS) "
        "and was stopped after this step."
    )
    assert finished["failed_step"].startswith("loop-1[")
    sent = len(fake_slack.messages)
    assert 5 <= sent < 100  # about 1 s of messages at 50 ms each
    loop = StepRun.objects.get(run_id=run.id, path="loop-1")
    assert loop.status == "failed"
    assert (
        loop.error == f"Stopped after {sent} of 100 iterations: the run went over its time limit."
    )


def test_a_finished_step_is_stored_while_the_next_is_slow_and_survives_a_crash(
    api, fake_slack, tmp_path
):
    # Given a message sent, then a second one that Slack takes 10 s to answer
    fake_slack.slow_seconds = 10

    def message(token: str) -> dict:
        return {
            "connector": "slack",
            "operation": "send_message",
            "authentication": slack_authentication(api, fake_slack, token=token),
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
        "steps": {
            "slack-1": message("xoxb-test-token"),
            "slack-2": message("xoxb-test-token-slow"),
        },
    }
    workflow = Workflow.objects.get(id=create_workflow(api, definition)["id"])
    run = Run.objects.create(
        workflow=workflow,
        workflow_version=workflow.versions.get(version=workflow.version),
        started_by=workflow.created_by,
    )
    worker = WorkerProcess(tmp_path / "worker.log", queue="slow-step", RUN_HEARTBEAT_SECONDS="0.2")
    try:
        run_execute_task.apply_async(args=[str(run.id)], queue="slow-step")
        deadline = time.monotonic() + 20
        while len(fake_slack.requests) < 2:  # the slow call has begun
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.6)  # a few beats

        # When the worker dies during the slow call
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait()
    finally:
        worker.stop()

    # Then the first step's record was already stored, so a retry will not send it again
    assert list(StepRun.objects.filter(run_id=run.id).values_list("path", "status")) == [
        ("trigger", "succeeded"),
        ("slack-1", "succeeded"),
    ]
