"""Scheduled trigger: runs an enabled workflow every N minutes, hours or days, or on a cron
expression, in an IANA time zone (connectors/schedule/times.py says when).

The platform's scheduler (builder/services/schedules.py) starts one run per fire time with the
payload `{scheduled_for, fired_at}`, which this trigger returns as its output. A run started
with Run workflow, to test the workflow, fires as of now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.schedule.times import (
    DEFAULT_EVERY,
    DEFAULT_MODE,
    DEFAULT_TIMEZONE,
    DEFAULT_UNIT,
    MODES,
    UNITS,
    Schedule,
    ScheduleError,
)
from connectors.schema import choice, integer, output_object, string
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_schedule(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    payload = inputs.get("payload")
    if isinstance(payload, dict) and {"scheduled_for", "fired_at"} <= set(payload):
        return {"scheduled_for": payload["scheduled_for"], "fired_at": payload["fired_at"]}
    # Run workflow, with no fire time given: a test run, as if it fired now.
    now = context.now().isoformat()
    return {"scheduled_for": now, "fired_at": now}


def check_schedule(properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """At save: the cron expression parses, the time zone exists, the interval fits."""
    try:
        Schedule.from_properties(properties)
    except ScheduleError as error:
        return [(error.field, error.message)]
    return []


SCHEDULE = Operation(
    key="schedule",
    title="Schedule",
    description="Runs the enabled workflow at its times; $.steps.trigger.scheduled_for is the "
    "time the run is for.",
    # No additionalProperties: false, as for the Webhook trigger: these properties say when
    # runs start and are read by the scheduler; the engine gives the trigger only the run's
    # payload ({"payload": ...}). A definition still cannot set others: the compiler refuses
    # any not listed.
    input_schema={
        "type": "object",
        "properties": {
            "mode": choice("Mode", MODES, default=DEFAULT_MODE),
            "every": integer(
                "Every",
                "Interval mode: how many minutes, hours or days apart. Minutes and hours are "
                "counted from 00:00 of the time zone each day; days fire at 00:00.",
                minimum=1,
                default=DEFAULT_EVERY,
            ),
            "unit": choice("Unit", UNITS, default=DEFAULT_UNIT),
            "cron": string(
                "Cron expression",
                "Cron mode: minute hour day-of-month month day-of-week, e.g. */5 * * * * "
                "(every 5 minutes) or 0 9 * * mon-fri (9:00 on weekdays).",
                max_length=200,
            ),
            "timezone": string(
                "Time zone",
                "The IANA time zone the times are in, e.g. Europe/Berlin.",
                min_length=1,
                max_length=64,
                default=DEFAULT_TIMEZONE,
            ),
        },
    },
    output_schema=output_object(
        {
            "scheduled_for": string(
                "Scheduled for",
                "The fire time the run is for, in the schedule's time zone.",
                format="date-time",
            ),
            "fired_at": string(
                "Fired at", "When the scheduler started the run.", format="date-time"
            ),
        }
    ),
    run=run_schedule,
    kind=OperationKind.TRIGGER,
    check_properties=check_schedule,
)

CONNECTOR = Connector(
    key="schedule",
    title="Scheduled trigger",
    description="Run the workflow on a schedule: every N minutes, hours or days, or on a cron "
    "expression, in a time zone of your choice.",
    icon="icon.svg",
    version="1.0",
    operations=(SCHEDULE,),
)
