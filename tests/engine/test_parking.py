"""Parking: a wait too long to sleep through in a worker stops the run, to resume when due."""

from __future__ import annotations

from datetime import timedelta

from builder.engine.executor import Checkpoint, CompletedStep, RunOutcome
from connectors.sdk import ClientSettings
from tests.engine.doubles import WALL_CLOCK_START, definition, loop_node, node, run, step
from tests.helpers import jsonpath, string, typed


def echo(value: dict) -> dict:
    return step("steps", "echo", value=value)


def rate_limited(seconds: float) -> dict:
    return step("steps", "rate_limited", seconds=typed(seconds))


def pause(seconds: float) -> dict:
    return step("steps", "pause", seconds=typed(seconds))


def test_a_wait_too_long_to_sleep_parks_the_run_at_that_step_without_recording_it(world):
    workflow = definition(
        [node("echo-1"), node("limited-1"), node("echo-2")],
        {
            "echo-1": echo(string("before")),
            "limited-1": rate_limited(60),
            "echo-2": echo(string("after")),
        },
    )
    world.clock.advance(5)

    outcome = run(workflow)

    assert outcome == RunOutcome(
        status="waiting",
        resume_at=WALL_CLOCK_START + timedelta(seconds=65),
        waiting_reason="rate limited by Vendor",
        waiting_step="limited-1",
    )
    # The refused call did nothing: it is not recorded, so it runs again when the run resumes.
    assert world.recorder.summary() == [(1, "trigger", "succeeded"), (2, "echo-1", "succeeded")]
    assert [name for name, _ in world.calls] == ["echo-1", "limited-1"]


def test_a_run_parked_inside_a_loop_leaves_the_loop_unrecorded_for_it_has_not_ended(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"), node("limited-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.names")),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
            "limited-1": rate_limited(30),
        },
    )

    outcome = run(workflow, {"names": ["Ada", "Bob"]})

    assert (outcome.status, outcome.waiting_step) == ("waiting", "loop-1[0].limited-1")
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (3, "loop-1[0].echo-1", "succeeded"),
    ]


def test_a_step_parked_as_often_as_the_retry_bound_fails_rather_than_park_again(world):
    workflow = definition([node("limited-1")], {"limited-1": rate_limited(60)})
    checkpoint = Checkpoint(
        [CompletedStep(1, "trigger", "succeeded", {})],
        last_sequence=1,
        parked={"limited-1": 2},
    )

    outcome = run(workflow, checkpoint=checkpoint, settings=ClientSettings(max_retries=2))

    error = "Vendor rate limit reached (HTTP 429); gave up after waiting 2 times (CONNECTOR_MAX_RETRIES)"
    assert outcome == RunOutcome(status="failed", failed_step="limited-1", error=error)
    [record] = world.recorder.records
    assert (record.sequence, record.path, record.status, record.error) == (
        2,
        "limited-1",
        "failed",
        error,
    )


def test_a_step_that_parked_fewer_times_than_the_bound_parks_again(world):
    workflow = definition([node("limited-1")], {"limited-1": rate_limited(60)})
    checkpoint = Checkpoint(
        [CompletedStep(1, "trigger", "succeeded", {})], last_sequence=1, parked={"limited-1": 1}
    )

    outcome = run(workflow, checkpoint=checkpoint, settings=ClientSettings(max_retries=2))

    assert outcome.status == "waiting"
    assert world.recorder.records == []


def test_a_delay_is_recorded_then_the_run_parks_until_it_ends(world):
    workflow = definition(
        [node("pause-1"), node("echo-1")],
        {"pause-1": pause(30), "echo-1": echo(string("after"))},
    )

    outcome = run(workflow)

    resume_at = WALL_CLOCK_START + timedelta(seconds=30)
    assert outcome == RunOutcome(
        status="waiting",
        resume_at=resume_at,
        waiting_reason="delayed by pause-1",
        waiting_step="pause-1",
    )
    assert world.recorder.summary() == [(1, "trigger", "succeeded"), (2, "pause-1", "succeeded")]
    assert world.recorder.by_path()["pause-1"].output == {"value": resume_at.isoformat()}
    assert [name for name, _ in world.calls] == ["pause-1"]
