"""The services behind durable runs, on the database alone: checkpoints, claims, the sweep."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from builder.models import Run, RunEvent, RunStatus, StepRun
from builder.services.execution import CHECKPOINT_CHUNK, completed_steps, run_claim
from builder.services.recovery import runs_recover, runs_send_due_soon, runs_send_lost
from builder.services.runs import run_cancel
from builder.services.workflows import workflow_create
from config.celery import app as celery_app

# Not transactional: what the services enqueue after commit is never sent.
pytestmark = pytest.mark.django_db


@pytest.fixture
def run(user) -> Run:
    workflow = workflow_create(user=user, name="Durable")
    return Run.objects.create(
        workflow=workflow, workflow_version=workflow.versions.get(), started_by=user
    )


def record(run: Run, sequence: int, path: str) -> StepRun:
    return StepRun(
        run=run,
        sequence=sequence,
        path=path,
        step_name=path.rsplit(".", 1)[-1],
        connector="slack",
        operation="send_message",
        status="succeeded",
        output={"ts": str(sequence)},
        started_at=timezone.now(),
        duration_ms=1.0,
    )


def lost(run: Run, *, step: str, attempt: int = 1) -> Run:
    """The run as a worker killed while `step` was in flight leaves it."""
    Run.objects.filter(id=run.id).update(
        status=RunStatus.RUNNING,
        attempt=attempt,
        progress={"current_step": step, "loops": {}},
        heartbeat_at=timezone.now() - timedelta(seconds=11),
    )
    return Run.objects.get(id=run.id)


def test_a_checkpoint_is_read_in_sequence_order_a_chunk_at_a_time(run):
    total = 2 * CHECKPOINT_CHUNK + 34
    # Sequence 2 is a gap: a loop's own record, written once it ends.
    sequences = [1, *range(3, total + 2)]
    StepRun.objects.bulk_create(
        record(run, sequence, f"loop-1[{sequence}].slack-1") for sequence in reversed(sequences)
    )

    with CaptureQueriesContext(connection) as queries:
        read = [(step.sequence, step.path, step.output) for step in completed_steps(run_id=run.id)]

    assert read == [(s, f"loop-1[{s}].slack-1", {"ts": str(s)}) for s in sequences]
    assert len(queries) == 3
    assert all(f"LIMIT {CHECKPOINT_CHUNK}" in query["sql"] for query in queries)


def test_the_sweep_resumes_a_run_whose_heartbeat_is_stale_as_its_next_attempt(run, settings):
    settings.RUN_STALE_AFTER_SECONDS = 10
    lost(run, step="loop-1[37].slack-1")

    assert runs_recover() == (1, 0)

    resumed = Run.objects.get(id=run.id)
    assert (resumed.status, resumed.attempt) == ("queued", 2)
    event = resumed.events.get()
    assert (event.kind, event.step, event.reason, event.attempt) == (
        "worker_lost",
        "loop-1[37].slack-1",
        "worker lost",
        2,
    )
    assert event.message == (
        "The worker running attempt 1 was lost while step loop-1[37].slack-1 was running; the "
        "run resumes after its last recorded step, as attempt 2."
    )


def test_the_sweep_leaves_a_run_whose_heartbeat_is_fresh_alone(run, settings):
    settings.RUN_STALE_AFTER_SECONDS = 12
    lost(run, step="slack-1")

    assert runs_recover() == (0, 0)
    assert Run.objects.get(id=run.id).status == "running"


def test_a_run_lost_as_often_as_the_limit_on_the_same_step_fails_naming_it(run, settings):
    settings.RUN_STALE_AFTER_SECONDS = 10
    settings.RUN_MAX_WORKER_LOSSES_PER_STEP = 3
    for attempt in (2, 3):
        RunEvent.objects.create(
            run=run,
            at=timezone.now(),
            kind="worker_lost",
            step="slack-1",
            reason="worker lost",
            attempt=attempt,
            message="…",
        )
    # (a loss on another step counts for that step only)
    RunEvent.objects.create(
        run=run,
        at=timezone.now(),
        kind="worker_lost",
        step="slack-2",
        reason="worker lost",
        attempt=2,
        message="…",
    )
    lost(run, step="slack-1", attempt=3)

    runs_recover()

    failed = Run.objects.get(id=run.id)
    assert (failed.status, failed.failed_step, failed.attempt) == ("failed", "slack-1", 3)
    assert failed.error.startswith(
        "The worker running this workflow was lost 3 times while step slack-1 was running "
        "(attempts 1, 2 and 3), so the run is not tried again (RUN_MAX_WORKER_LOSSES_PER_STEP)"
    )
    assert failed.finished_at is not None


def test_a_waiting_run_is_claimed_only_once_it_is_due(run):
    Run.objects.filter(id=run.id).update(
        status=RunStatus.WAITING,
        resume_at=timezone.now() + timedelta(minutes=5),
        waiting_reason="rate limited by Slack",
        started_at=timezone.now() - timedelta(minutes=1),
    )
    first_start = Run.objects.get(id=run.id).started_at

    assert run_claim(run_id=str(run.id)) is False

    Run.objects.filter(id=run.id).update(resume_at=timezone.now() - timedelta(seconds=1))
    assert run_claim(run_id=str(run.id)) is True
    claimed = Run.objects.get(id=run.id)
    assert (claimed.status, claimed.resume_at, claimed.waiting_reason) == ("running", None, "")
    assert claimed.started_at == first_start


def test_cancelling_a_waiting_run_cancels_it_at_once(run):
    Run.objects.filter(id=run.id).update(
        status=RunStatus.WAITING, resume_at=timezone.now() + timedelta(hours=1)
    )

    cancelled = run_cancel(run=Run.objects.get(id=run.id))

    assert (cancelled.status, cancelled.cancel_requested) == ("cancelled", True)
    assert run_claim(run_id=str(run.id)) is False


def test_a_run_parked_further_ahead_than_messages_are_sent_is_sent_when_it_comes_near(
    run, settings, own_queue
):
    settings.RUN_RESUME_MESSAGE_AHEAD_SECONDS = 3600
    Run.objects.filter(id=run.id).update(
        status=RunStatus.WAITING, resume_at=timezone.now() + timedelta(hours=2), enqueued_at=None
    )

    assert runs_send_due_soon() == 0

    Run.objects.filter(id=run.id).update(resume_at=timezone.now() + timedelta(minutes=59))
    assert runs_send_due_soon() == 1
    assert Run.objects.get(id=run.id).enqueued_at is not None
    assert runs_send_due_soon() == 0


@pytest.fixture
def own_queue() -> Iterator[str]:
    """A queue of the test Redis no worker consumes, as the one runs are sent to."""
    conf = celery_app.conf
    default_queue, conf.task_default_queue = conf.task_default_queue, f"backlog-{uuid.uuid4()}"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        yield conf.task_default_queue
    finally:
        broker.delete(conf.task_default_queue)
        conf.task_default_queue = default_queue


def test_runs_queued_long_are_not_sent_again_while_the_broker_queue_holds_as_many(
    run, user, own_queue, settings
):
    # Given two runs sent a minute ago that have not started, and two messages in the queue
    settings.RUN_REQUEUE_AFTER_SECONDS = 30
    other = Run.objects.create(
        workflow=run.workflow, workflow_version=run.workflow_version, started_by=user
    )
    Run.objects.filter(id__in=[run.id, other.id]).update(
        enqueued_at=timezone.now() - timedelta(minutes=1)
    )
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.lpush(own_queue, "a message ahead", "another")

    # When the sweep looks, they are a backlog: not sent again
    assert runs_send_lost() == 0

    # Once the queue is empty (the broker restarted, say), they are
    broker.delete(own_queue)
    assert runs_send_lost() == 2
    assert broker.llen(own_queue) == 2
