"""Call workflow: a run starts a run of another workflow of its organisation (one with the
Callable trigger), once per calling step, and either goes on or waits for its answer.

Waiting holds no worker: the caller parks (WaitingForRun) and is woken the moment the called
run ends (runs.run_wake_caller, from wherever a run ends); its step then runs again, finds the
run it started, and outputs that run's answer (its Callable response) or fails naming it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError

from builder.models import Run, RunStatus, RunTriggerKind, Workflow
from builder.services.runs import run_start
from connectors.errors import TerminalError, WaitingForRun
from connectors.registry import get_connector

CALLABLE_CONNECTOR = "callable"
# A caller waiting for a called run is woken as soon as that run ends; should the wake ever
# be lost (the database gone just then), it looks again after this long, and parks again if
# the run has not ended.
LOOK_AGAIN_SECONDS = 3600.0


def call_workflow(
    *, run_id: uuid.UUID, step_path: str, workflow_id: str, payload: Any, wait: bool
) -> dict[str, Any]:
    """What the calling step at `step_path` of run `run_id` outputs: `{"run_id"}` (fire and
    forget), or `{"run_id", "response"}` once the called run has succeeded (waiting).

    TerminalError when the workflow cannot be called (not of this organisation, not Callable,
    too deep) or the called run failed; WaitingForRun while a waited-for run has not ended.
    """
    caller = Run.objects.select_related("workflow").get(id=run_id)
    called = called_run(caller=caller, step_path=step_path)
    if called is None:
        target = callable_workflow(caller=caller, workflow_id=workflow_id)
        limit = settings.CALL_WORKFLOW_MAX_DEPTH
        if caller.call_depth + 1 > limit:
            raise TerminalError(
                f"Call workflow went deeper than {limit} levels (CALL_WORKFLOW_MAX_DEPTH): "
                f"{target.name} calls itself in a cycle?"
            )
        try:
            called = run_start(
                workflow=target,
                user=None,
                payload=payload,
                trigger_kind=RunTriggerKind.CALLABLE,
                parent_run=caller,
                parent_step=step_path,
            )
        except IntegrityError:
            # Another execution of this very step started it first (a run resumed after
            # its worker was lost): that run is the one called.
            called = called_run(caller=caller, step_path=step_path)
            if called is None:
                raise
        else:
            if wait:
                # Just queued, so not ended: park at once (and be woken when it ends).
                raise waiting_for(called)
    if not wait:
        return {"run_id": str(called.id)}
    return answer_of(called)


def called_run(*, caller: Run, step_path: str) -> Run | None:
    """The run this step of the caller started already, if it did (one per step, see Run)."""
    return (
        Run.objects.select_related("workflow")
        .filter(parent_run=caller, parent_step=step_path)
        .first()
    )


def callable_workflow(*, caller: Run, workflow_id: str) -> Workflow:
    """The workflow to call: of the caller's organisation, with the Callable trigger."""
    missing = TerminalError(
        f"Workflow {workflow_id} does not exist in this organisation: choose another in the "
        "step's Workflow property."
    )
    try:
        target_id = uuid.UUID(str(workflow_id))
    except ValueError:
        raise missing from None
    target = Workflow.objects.filter(
        id=target_id, organisation_id=caller.workflow.organisation_id
    ).first()
    if target is None:
        raise missing
    trigger = (target.definition.get("trigger") or {}).get("connector")
    if trigger != CALLABLE_CONNECTOR:
        connector = get_connector(trigger)
        title = connector.title if connector is not None else repr(trigger)
        raise TerminalError(
            f"Workflow {target.name!r} cannot be called: its trigger is {title}, not Callable. "
            "Give it the Callable trigger to call it from another workflow."
        )
    return target


def answer_of(called: Run) -> dict[str, Any]:
    """A waited-for run's answer once it has succeeded; its failure, or WaitingForRun."""
    name = called.workflow.name
    if called.status == RunStatus.SUCCEEDED:
        response = called.response
        # A Callable response step's answer is {"value": ...}; null if none set one.
        value = response.get("value") if isinstance(response, dict) else None
        return {"run_id": str(called.id), "response": value}
    if called.status == RunStatus.FAILED:
        where = f" at step {called.failed_step}" if called.failed_step else ""
        raise TerminalError(
            f"The called workflow {name!r} failed (run {called.id}){where}: {called.error}"
        )
    if called.status == RunStatus.CANCELLED:
        raise TerminalError(f"The called workflow {name!r} was cancelled (run {called.id}).")
    raise waiting_for(called)


def waiting_for(called: Run) -> WaitingForRun:
    name = called.workflow.name
    return WaitingForRun(
        run_id=str(called.id),
        seconds=LOOK_AGAIN_SECONDS,
        reason=f"waiting for {name} (run {called.id})",
        message=f"Waiting for run {called.id} of {name!r} to end",
    )
