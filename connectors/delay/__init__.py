"""Delay: wait a while, or until a date-time, before the next step; a long wait holds no worker.

A wait up to the run's park threshold (RUN_PARK_AFTER_SECONDS) is slept in place, and a
cancel ends it at once. A longer one completes the step at once and parks the run until the
wait is over (OperationContext.park_until): the run is `waiting`, no worker holds it, and it
resumes after this step, whose record says until when it waited.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.errors import InputError
from connectors.network import CallCancelled
from connectors.schema import choice, input_object, number, output_object, string
from connectors.sdk import Connector, Operation, OperationContext

UNITS = {"seconds": "Seconds", "minutes": "Minutes", "hours": "Hours", "days": "Days"}
SECONDS_PER_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def wait_until(inputs: dict[str, Any], now: datetime) -> datetime:
    """When the wait the inputs ask for is over (UTC)."""
    given = [name for name in ("wait_for", "wait_until") if name in inputs]
    if len(given) != 1:
        raise InputError(
            "Delay needs either Wait for (an amount of time) or Wait until (a date-time), "
            + ("not both." if given else "and has neither.")
        )
    if "wait_for" in inputs:
        unit = inputs.get("unit", "seconds")
        try:
            return now + timedelta(seconds=inputs["wait_for"] * SECONDS_PER_UNIT[unit])
        except OverflowError:
            raise InputError(f"Wait for {inputs['wait_for']:g} {unit} is too long.") from None
    try:
        until = datetime.fromisoformat(inputs["wait_until"])
    except ValueError:
        raise InputError(
            f"Wait until {inputs['wait_until']!r} is not an ISO 8601 date-time such as "
            "2025-06-01T09:00:00+02:00."
        ) from None
    if until.tzinfo is None:
        raise InputError(
            f"Wait until {inputs['wait_until']!r} has no time zone: add one, such as +02:00 "
            "or Z for UTC."
        )
    return until.astimezone(UTC)


def run_delay(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    now = context.now()
    until = wait_until(inputs, now)
    seconds = max(0.0, (until - now).total_seconds())
    park_after = context.settings.park_after
    if park_after is not None and seconds > park_after:
        context.park_until(until, f"delayed by {context.step_name}")
    elif seconds > 0:
        cancelled = context.settings.cancelled
        if cancelled is None:
            time.sleep(seconds)
        elif cancelled.wait(seconds):
            raise CallCancelled("The run was cancelled during the delay.")
    return {"waited_until": until.isoformat(), "waited_seconds": round(seconds, 3)}


DELAY = Operation(
    key="delay",
    title="Delay",
    description="Wait an amount of time, or until a date-time, before the next step.",
    input_schema=input_object(
        {
            "wait_for": number("Wait for", "How long to wait, in the unit below.", minimum=0),
            "unit": choice("Unit", UNITS, default="seconds"),
            "wait_until": string(
                "Wait until",
                "Instead of Wait for: an ISO 8601 date-time with its time zone, such as "
                "2025-06-01T09:00:00+02:00. One in the past waits no time.",
                format="date-time",
            ),
        }
    ),
    output_schema=output_object(
        {
            "waited_until": string(
                "Waited until", "When the wait was over (UTC).", format="date-time"
            ),
            "waited_seconds": number("Waited seconds", "How long the wait was, from its start."),
        }
    ),
    run=run_delay,
    # It changes nothing outside the run: after a lost worker it may run again.
    repeatable=True,
)

CONNECTOR = Connector(
    key="delay",
    title="Delay",
    description="Wait before going on: minutes, days, or until a date-time. A long wait holds "
    "no worker.",
    icon="icon.svg",
    version="1.0",
    operations=(DELAY,),
)
