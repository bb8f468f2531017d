"""Delay: a short wait slept in place, a long one parked until it ends, or until a date-time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from connectors.errors import InputError
from connectors.network import CallCancelled
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation
from tests.helpers import all_step_runs, run_workflow, string, typed

NOW = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def context(*, park_after: float | None = 5.0, cancelled: threading.Event | None = None):
    return OperationContext(
        step_name="delay-1",
        settings=ClientSettings(park_after=park_after, cancelled=cancelled),
        now=lambda: NOW,
    )


@pytest.mark.exercises("delay", "delay")
def test_a_wait_up_to_the_park_threshold_is_slept_in_place():
    waiting = context()

    output = run_operation("delay", "delay", {"wait_for": 0.01}, waiting)

    assert output == {"waited_until": "2025-06-01T08:00:00.010000+00:00", "waited_seconds": 0.01}
    assert waiting.park_request is None


def test_a_longer_wait_completes_the_step_and_asks_to_park_the_run_until_it_ends():
    waiting = context()

    output = run_operation("delay", "delay", {"wait_for": 2, "unit": "hours"}, waiting)

    assert output == {"waited_until": "2025-06-01T10:00:00+00:00", "waited_seconds": 7200}
    assert waiting.park_request == (datetime(2025, 6, 1, 10, 0, tzinfo=UTC), "delayed by delay-1")


@pytest.mark.parametrize(
    ("amount", "unit", "seconds"),
    [(90, "seconds", 90), (3, "minutes", 180), (1.5, "days", 129_600)],
)
def test_wait_for_counts_in_its_unit(amount, unit, seconds):
    waiting = context()

    output = run_operation("delay", "delay", {"wait_for": amount, "unit": unit}, waiting)

    assert output["waited_seconds"] == seconds


def test_wait_until_a_date_time_in_its_own_zone_waits_until_then_in_utc():
    waiting = context()

    output = run_operation("delay", "delay", {"wait_until": "2025-06-01T11:30:00+02:00"}, waiting)

    assert output == {"waited_until": "2025-06-01T09:30:00+00:00", "waited_seconds": 5400}
    assert waiting.park_request == (datetime(2025, 6, 1, 9, 30, tzinfo=UTC), "delayed by delay-1")


def test_wait_until_a_date_time_in_the_past_waits_no_time():
    waiting = context()

    output = run_operation("delay", "delay", {"wait_until": "2025-06-01T07:00:00Z"}, waiting)

    assert output == {"waited_until": "2025-06-01T07:00:00+00:00", "waited_seconds": 0}
    assert waiting.park_request is None


def test_where_a_run_cannot_park_even_a_long_wait_would_be_slept():
    # (cancelled beforehand, so the test does not sleep it)
    cancelled = threading.Event()
    cancelled.set()

    with pytest.raises(CallCancelled) as stopped:
        run_operation(
            "delay",
            "delay",
            {"wait_for": 1, "unit": "days"},
            context(park_after=None, cancelled=cancelled),
        )

    assert str(stopped.value) == "The run was cancelled during the delay."


def test_a_cancel_ends_a_wait_slept_in_place_at_once():
    cancelled = threading.Event()
    cancelled.set()

    with pytest.raises(CallCancelled):
        run_operation("delay", "delay", {"wait_for": 4}, context(cancelled=cancelled))


@pytest.mark.parametrize(
    ("inputs", "error"),
    [
        (
            {},
            "Delay needs either Wait for (an amount of time) or Wait until (a date-time), "
            "and has neither.",
        ),
        (
            {"wait_for": 1, "wait_until": "2025-06-01T09:00:00Z"},
            "Delay needs either Wait for (an amount of time) or Wait until (a date-time), "
            "not both.",
        ),
        (
            {"wait_until": "2025-06-01T09:00:00"},
            "Wait until '2025-06-01T09:00:00' has no time zone: add one, such as +02:00 or Z "
            "for UTC.",
        ),
        (
            {"wait_until": "next Tuesday"},
            "Wait until 'next Tuesday' is not an ISO 8601 date-time such as "
            "2025-06-01T09:00:00+02:00.",
        ),
        ({"wait_for": 1e300, "unit": "days"}, "Wait for 1e+300 days is too long."),
    ],
)
def test_a_wait_that_cannot_be_told_fails_saying_why(inputs, error):
    with pytest.raises(InputError) as refused:
        run_operation("delay", "delay", inputs, context())

    assert refused.value.message == error


@pytest.mark.django_db(transaction=True)
def test_a_short_delay_through_the_worker_holds_the_run_then_goes_on(api, celery_worker):
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "delay-1", "type": "normal"},
            {"name": "text-1", "type": "normal"},
        ],
        "steps": {
            "delay-1": {
                "connector": "delay",
                "operation": "delay",
                "properties": {"wait_for": typed(0.2), "unit": string("seconds")},
            },
            "text-1": {
                "connector": "text_helpers",
                "operation": "change_case",
                "properties": {"text": string("after the delay"), "case": string("upper")},
            },
        },
    }

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    steps = {step["path"]: step for step in all_step_runs(api, run["id"])}
    assert steps["delay-1"]["output"]["waited_seconds"] == 0.2
    assert steps["text-1"]["output"] == {"result": "AFTER THE DELAY"}
    assert run["events"] == []
