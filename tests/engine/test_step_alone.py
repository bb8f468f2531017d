"""One step run alone (Test step while building): as in a run, but tried once, recorded nowhere."""

from __future__ import annotations

from typing import Any

from builder.engine.definition import compile_definition
from builder.engine.executor import RunExecutor, StepRecord
from connectors.sdk import ClientSettings
from tests.engine.doubles import (
    CONNECTORS,
    WORLD,
    definition,
    node,
    resolve_authentication,
    step,
)
from tests.helpers import jsonpath, typed


def run_alone(found: dict[str, Any], scope: dict[str, Any]) -> StepRecord:
    """Compiles a workflow of one step `one-1` and runs that step alone on `scope`."""
    plan = compile_definition(definition([node("one-1")], {"one-1": found}), connectors=CONNECTORS)
    executor = RunExecutor(
        plan=plan,
        recorder=WORLD.recorder,
        authentications=resolve_authentication,
        settings=ClientSettings(),
        clock=WORLD.clock,
        now=WORLD.clock.wall,
        sleep=WORLD.sleep,
    )
    return executor.run_step_alone(plan.steps[0], scope, "one-1")


def test_a_step_alone_resolves_its_properties_and_runs_recording_nothing(world):
    record = run_alone(
        step("steps", "echo", value=jsonpath("$.steps.trigger.name")),
        {"steps": {"trigger": {"name": "Ada"}}},
    )

    assert (record.status, record.input, record.output) == (
        "succeeded",
        {"value": "Ada"},
        {"value": "Ada"},
    )
    assert world.calls == [("one-1", {"value": "Ada"})]
    assert world.recorder.records == []


def test_a_path_that_does_not_resolve_fails_the_step_naming_it(world):
    record = run_alone(step("steps", "echo", value=jsonpath("$.steps.trigger.name")), {"steps": {}})

    assert record.status == "failed"
    assert record.error == "$.steps.trigger.name in property 'value' did not resolve"
    assert world.calls == []


def test_a_step_alone_is_tried_once_whatever_its_error_handling(world):
    flaky = {
        **step("steps", "flaky"),
        "error_handling": {"mode": "continue", "retry": {"attempts": 3, "delay_seconds": 1}},
    }

    record = run_alone(flaky, {"steps": {}})

    assert (record.status, record.error, record.output) == (
        "failed",
        "Vendor answered HTTP 503",
        None,
    )
    assert len(world.calls) == 1
    assert world.sleeps == []


def test_a_delay_returns_at_once_noting_the_wait_a_run_would_make(world):
    record = run_alone(step("steps", "pause", seconds=typed(600)), {"steps": {}})

    assert record.status == "succeeded"
    assert record.output == {"value": "2025-06-01T09:10:00+00:00"}
    assert record.log == [
        "A run would wait here until 2025-06-01T09:10:00+00:00 (delayed by one-1); "
        "a test does not wait."
    ]


def test_a_vendor_wait_too_long_to_sleep_fails_the_test_saying_so(world):
    record = run_alone(step("steps", "rate_limited", seconds=typed(60)), {"steps": {}})

    assert record.status == "failed"
    assert record.error == (
        "The step would wait until 2025-06-01T09:01:00+00:00 (rate limited by Vendor); "
        "a test does not wait."
    )
