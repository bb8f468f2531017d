"""The scheduler: starts one run per fire time of each enabled workflow with a Scheduled trigger.

Celery beat calls `schedules_fire` every SCHEDULE_TICK_SECONDS (builder/tasks.py). Each call
starts, for each such workflow, at most one run: for the latest fire time up to now that is
after the workflow was enabled and after the fire time of its latest scheduled run. So fire
times missed while nothing ran (the scheduler down, the database away) give one catch-up run,
for the latest of them, not one each. Two schedulers at once (two beats, a tick run late)
cannot both start it: the database keeps one run per workflow and fire time
(Run.Meta, unique_run_per_fire_time), and the loser's insert is refused.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from builder.engine.properties import LiteralValue, PropertyShapeError, compile_value
from builder.models import Run, RunTriggerKind, Workflow
from builder.services.runs import run_start
from connectors.schedule.times import Schedule, ScheduleError

logger = logging.getLogger(__name__)

SCHEDULE_CONNECTOR = "schedule"
# How many fire times the workflow representation lists (`next_fire_times`).
NEXT_FIRE_TIMES = 5


def schedule_of(definition: Any) -> Schedule | None:
    """The schedule of a definition whose trigger is Scheduled; None for another trigger, or
    one whose properties cannot make a schedule (the save refuses those; a stored one is
    still read with care)."""
    trigger = definition.get("trigger") if isinstance(definition, dict) else None
    if not isinstance(trigger, dict) or trigger.get("connector") != SCHEDULE_CONNECTOR:
        return None
    typed_properties = trigger.get("properties") or {}
    if not isinstance(typed_properties, dict):
        return None
    values = {}
    for key, typed in typed_properties.items():
        try:
            value = compile_value(typed)
        except PropertyShapeError:
            return None
        if not isinstance(value, LiteralValue):
            return None
        values[key] = value.value
    try:
        return Schedule.from_properties(values)
    except ScheduleError:
        return None


def next_fire_times(workflow: Workflow, *, now: datetime) -> list[datetime] | None:
    """The workflow's next fire times after `now`, in its schedule's time zone; None when its
    trigger is not a valid schedule. Shown whether or not the workflow is enabled."""
    schedule = schedule_of(workflow.definition)
    if schedule is None:
        return None
    return [schedule.local(moment) for moment in schedule.next_times(now, NEXT_FIRE_TIMES)]


def schedules_fire(now: datetime) -> list[Run]:
    """Starts the run due at `now` of each enabled workflow with a Scheduled trigger: for its
    latest fire time at or before `now` that is after both its enabling and the fire time of
    its latest scheduled run. Returns the runs started (not those another scheduler started
    first)."""
    started = []
    # Read backwards along the index of the uniqueness rule: one row, however many runs.
    last_fire_time = (
        Run.objects.filter(workflow=OuterRef("pk"), scheduled_for__isnull=False)
        .order_by("-scheduled_for")
        .values("scheduled_for")[:1]
    )
    workflows = (
        Workflow.objects.filter(enabled=True, definition__trigger__connector=SCHEDULE_CONNECTOR)
        .annotate(last_fire_time=Subquery(last_fire_time))
        .order_by("id")
    )
    for workflow in workflows:
        schedule = schedule_of(workflow.definition)
        if schedule is None:
            logger.warning("Workflow %s is enabled but its schedule is not valid", workflow.id)
            continue
        due = schedule.latest_at_or_before(now)
        # A workflow enabled before enabled_at was recorded counts from its creation.
        after = max(
            moment
            for moment in (workflow.enabled_at or workflow.created_at, workflow.last_fire_time)
            if moment is not None
        )
        if due <= after:
            continue
        run = schedule_run_start(workflow, schedule, due, now)
        if run is not None:
            started.append(run)
    return started


def schedule_run_start(
    workflow: Workflow, schedule: Schedule, scheduled_for: datetime, now: datetime
) -> Run | None:
    """The run for one fire time; None if another scheduler started it first."""
    payload = {
        "scheduled_for": schedule.local(scheduled_for).isoformat(),
        "fired_at": schedule.local(now).isoformat(),
    }
    try:
        # A savepoint: the refused insert must not spoil a transaction the caller holds.
        with transaction.atomic():
            run = run_start(
                workflow=workflow,
                user=None,
                payload=payload,
                trigger_kind=RunTriggerKind.SCHEDULE,
                scheduled_for=scheduled_for,
            )
    except IntegrityError:
        logger.info(
            "Workflow %s: the run for %s was started by another scheduler",
            workflow.id,
            scheduled_for.isoformat(),
        )
        return None
    logger.info("Workflow %s: run %s for %s", workflow.id, run.id, scheduled_for.isoformat())
    return run
