"""Runs: start one (and send it to the workers), cancel, replay, retry from the failed step."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from celery import current_app
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.errors import Conflict
from builder.models import (
    FINISHED_STATUSES,
    Run,
    RunEvent,
    RunEventKind,
    RunStatus,
    RunTriggerKind,
    Workflow,
    WorkflowVersion,
)

logger = logging.getLogger(__name__)

# The name builder/tasks.py registers the task under. Sent by name, so the services need not
# import the tasks, which call the services.
RUN_EXECUTE_TASK = "builder.run_execute_task"


class RunNotCancellable(Conflict):
    def __init__(self, reason: str) -> None:
        super().__init__(f"The run cannot be cancelled: {reason}.")


class RunNotRetryable(Conflict):
    def __init__(self, reason: str) -> None:
        super().__init__(f"The run cannot be retried: {reason}.")


def run_start(
    *,
    workflow: Workflow,
    user: User | None,
    payload: Any = None,
    retry_of: Run | None = None,
    trigger_kind: str = RunTriggerKind.MANUAL,
    scheduled_for: datetime | None = None,
    parent_run: Run | None = None,
    parent_step: str = "",
    alert_for: Run | None = None,
) -> Run:
    """Stores a queued run on the workflow's current version and enqueues it after commit.

    `user` is the person who started it, None for a run no person started (a webhook, a
    schedule, a calling run, a failed run to alert of: `trigger_kind` says which).
    IntegrityError if the run exists already: one per schedule fire time, one per calling
    step, one alert per failed run (see Run.Meta).
    """
    with transaction.atomic():
        snapshot = WorkflowVersion.objects.get(workflow=workflow, version=workflow.version)
        run = Run.objects.create(
            workflow=workflow,
            workflow_version=snapshot,
            trigger_payload=payload if payload is not None else {},
            started_by=user,
            trigger_kind=trigger_kind,
            scheduled_for=scheduled_for,
            parent_run=parent_run,
            parent_step=parent_step,
            call_depth=parent_run.call_depth + 1 if parent_run is not None else 0,
            retry_of=retry_of,
            alert_for=alert_for,
            # Stamped now too, so a run whose sending never happened is found by the sweep.
            enqueued_at=timezone.now(),
        )
        transaction.on_commit(lambda: run_enqueue(run_id=run.id))
    return run


def run_enqueue(*, run_id: uuid.UUID | str, eta: datetime | None = None) -> None:
    """Sends a queued run to the workers (a waiting one with the `eta` it is due at). If the
    broker cannot take it now, `runs_recover` sends it again: a run is never lost for a broker
    outage."""
    Run.objects.filter(id=run_id).update(enqueued_at=timezone.now())
    try:
        current_app.send_task(RUN_EXECUTE_TASK, args=[str(run_id)], eta=eta)
    except Exception:  # kombu raises many kinds; each leaves the run for the sweep
        logger.exception("Could not enqueue run %s; it will be sent again", run_id)


def run_cancel(*, run: Run) -> Run:
    """Stops a queued or waiting run at once; a running one stops at its next step, or sooner
    if that step is waiting on a vendor (the call in flight is interrupted)."""
    if run.status in FINISHED_STATUSES:
        raise RunNotCancellable(f"the run has already {run.status}")
    # No worker holds a queued or waiting run: its message, when it comes, finds nothing to do.
    ended = Run.objects.filter(id=run.id, status__in=(RunStatus.QUEUED, RunStatus.WAITING)).update(
        status=RunStatus.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    )
    if ended:
        run_wake_caller(run_id=run.id)
        run_cancel_waited_for(run_id=run.id)
    Run.objects.filter(id=run.id, status=RunStatus.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def run_cancel_waited_for(*, run_id: uuid.UUID) -> None:
    """A cancelled run that was parked at a Call workflow step waiting for the answer: the run
    it waited for is cancelled too (nobody is left to read its answer), and so on down the
    chain. Runs started without waiting (fire and forget) go on."""
    waiting_at = (
        RunEvent.objects.filter(run_id=run_id, kind=RunEventKind.WAITING)
        .order_by("-id")
        .values_list("step", flat=True)
        .first()
    )
    if not waiting_at:
        return
    waited_for = (
        Run.objects.filter(parent_run_id=run_id, parent_step=waiting_at)
        .exclude(status__in=FINISHED_STATUSES)
        .first()
    )
    if waited_for is not None:
        run_cancel(run=waited_for)


def run_wake_caller(*, run_id: uuid.UUID | str) -> None:
    """A run has ended: the run that called it and waits for its answer (a Call workflow step
    in wait mode, parked at that step) resumes now rather than when it would look again.

    Called wherever a run ends (execution.run_finish, run_cancel, the sweep failing a lost
    run). The caller is locked while it is looked at, as parking locks it, so of this and a
    caller parking just as the run ends, one sees the other (execution.run_park).
    """
    called = Run.objects.filter(id=run_id).values("parent_run_id", "parent_step").first()
    if called is None or called["parent_run_id"] is None:
        return
    caller_id = called["parent_run_id"]
    with transaction.atomic():
        caller = (
            Run.objects.select_for_update()
            .filter(id=caller_id, status=RunStatus.WAITING)
            .values_list("id", flat=True)
            .first()
        )
        if caller is None:
            return  # not waiting (it did not wait for the answer, or went on already)
        waiting_at = (
            RunEvent.objects.filter(run_id=caller_id, kind=RunEventKind.WAITING)
            .order_by("-id")
            .values_list("step", flat=True)
            .first()
        )
        if waiting_at != called["parent_step"]:
            return  # it waits for something else (a Delay after a fire-and-forget call)
        Run.objects.filter(id=caller_id).update(resume_at=timezone.now())
        transaction.on_commit(lambda: run_enqueue(run_id=caller_id))


def run_replay(*, run: Run, user: User) -> Run:
    """Runs the workflow again, as it is now, with the same trigger payload."""
    return run_start(workflow=run.workflow, user=user, payload=run.trigger_payload)


def run_retry(*, run: Run, user: User) -> Run:
    """Re-runs a failed run from its failed step on the workflow as it is now (fixed, say).

    Every step that succeeded before is not executed again: its recorded output is reused,
    so a loop that failed at its third item sends only the items from the third on.
    """
    if run.status != RunStatus.FAILED:
        raise RunNotRetryable(
            f"only a failed run can be retried from its failed step; this one {run.status}"
        )
    return run_start(workflow=run.workflow, user=user, payload=run.trigger_payload, retry_of=run)
