"""What stops a run between or during steps: the time limit on an injected clock, a cancel."""

from __future__ import annotations

from builder.engine.executor import RunOutcome, RunProgress
from tests.engine.doubles import definition, loop_node, node, run, step
from tests.helpers import jsonpath, string, typed

TIME_LIMIT_ERROR = (
    "The run went over its time limit of 10 seconds (RUN_TIME_LIMIT_SECONDS) and was stopped "
    "after this step."
)


def wait(seconds: float) -> dict:
    return step("steps", "wait", seconds=typed(seconds))


def waits(*seconds: float) -> dict:
    """A run of wait steps taking these seconds each, then an echo."""
    names = [f"wait-{index}" for index in range(1, len(seconds) + 1)]
    return definition(
        [*(node(name) for name in names), node("echo-1")],
        {
            **{name: wait(value) for name, value in zip(names, seconds, strict=True)},
            "echo-1": step("steps", "echo", value=string("in time")),
        },
    )


# --- The time limit ---


def test_a_run_over_its_time_limit_stops_after_the_step_that_crossed_it(world):
    outcome = run(waits(4, 7, 1), time_limit=10)

    assert outcome == RunOutcome(status="failed", failed_step="wait-2", error=TIME_LIMIT_ERROR)
    # The step that crossed the limit completed: the limit is checked between steps.
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "wait-1", "succeeded"),
        (3, "wait-2", "succeeded"),
    ]


def test_a_run_that_reaches_its_time_limit_exactly_goes_on(world):
    outcome = run(waits(4, 6), time_limit=10)

    assert outcome.status == "succeeded"
    assert [name for name, _ in world.calls] == ["wait-1", "wait-2", "echo-1"]


def test_the_time_limit_counts_from_when_the_executor_was_made(world):
    world.clock.advance(1_000_000)

    assert run(waits(9.5), time_limit=10).status == "succeeded"


def test_without_a_time_limit_a_run_takes_as_long_as_it_needs(world):
    assert run(waits(10**9, 10**9)).status == "succeeded"


def test_a_loop_over_its_time_limit_counts_the_whole_iterations_it_ran(world):
    progress = RunProgress()
    workflow = definition(
        [loop_node("loop-1", node("wait-1"), node("echo-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.seconds")),
            "wait-1": step("steps", "wait", seconds=jsonpath("$.steps.loop-1.value")),
            "echo-1": step("steps", "echo", value=string("done")),
        },
    )

    outcome = run(workflow, {"seconds": [3, 4, 5, 6]}, time_limit=10, progress=progress)

    assert outcome == RunOutcome(
        status="failed", failed_step="loop-1[2].wait-1", error=TIME_LIMIT_ERROR
    )
    loop = world.recorder.by_path()["loop-1"]
    assert (loop.status, loop.error, loop.output) == (
        "failed",
        "Stopped after 2 of 4 iterations: the run went over its time limit.",
        {"count": 4, "iterations": 3, "continued_failures": 0},
    )
    assert progress.snapshot()["loops"] == {"loop-1": {"done": 2, "count": 4}}


# --- Cancelling ---


def test_a_run_cancelled_during_a_step_stops_before_the_next(world):
    workflow = definition(
        [node("echo-1"), node("cancel-1"), node("echo-2")],
        {
            "echo-1": step("steps", "echo", value=string("before")),
            "cancel-1": step("steps", "cancel"),
            "echo-2": step("steps", "echo", value=string("after")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="cancelled", failed_step="", error="")
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "echo-1", "succeeded"),
        (3, "cancel-1", "succeeded"),
    ]


def test_a_loop_cancelled_between_iterations_is_recorded_as_cancelled(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"), node("cancel-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.loop-1.value")),
            "cancel-1": step("steps", "cancel"),
        },
    )

    outcome = run(workflow, {"items": ["a", "b", "c"]})

    assert outcome.status == "cancelled"
    loop = world.recorder.by_path()["loop-1"]
    # The check that stopped it came at the start of the second iteration.
    assert (loop.status, loop.error, loop.output) == (
        "cancelled",
        "Cancelled during iteration 2 of 3.",
        {"count": 3, "iterations": 2, "continued_failures": 0},
    )
    assert [name for name, _ in world.calls] == ["loop-1", "echo-1", "cancel-1"]


def test_a_run_cancelled_while_a_step_waits_on_its_vendor_records_that_step_cancelled(world):
    workflow = definition(
        [node("wait-1"), node("call-1"), node("echo-1")],
        {
            "wait-1": wait(1),
            "call-1": step("steps", "cancelled_in_flight"),
            "echo-1": step("steps", "echo", value=string("after")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="cancelled", failed_step="", error="")
    call = world.recorder.by_path()["call-1"]
    assert (call.status, call.error, call.input, call.output, call.duration_ms) == (
        "cancelled",
        "The run was cancelled while POST https://vendor.test/ was waiting.",
        {},
        None,
        1500.0,
    )
    assert world.recorder.summary()[-1] == (3, "call-1", "cancelled")


def test_a_run_cancelled_in_flight_inside_a_loop_cancels_the_loop(world):
    workflow = definition(
        [loop_node("loop-1", node("call-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "call-1": step("steps", "cancelled_in_flight"),
        },
    )

    run(workflow, {"items": [1, 2]})

    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (3, "loop-1[0].call-1", "cancelled"),
        (2, "loop-1", "cancelled"),
    ]
    assert world.recorder.by_path()["loop-1"].error == "Cancelled during iteration 1 of 2."
