"""Resuming a run from its checkpoint: the steps it recorded stand, the rest run, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from builder.engine.executor import Checkpoint, CompletedStep
from tests.engine.doubles import branch_node, definition, loop_node, node, run, step
from tests.helpers import jsonpath, string, typed


def echo(value: dict) -> dict:
    return step("steps", "echo", value=value)


def done(sequence: int, path: str, output: object) -> CompletedStep:
    return CompletedStep(sequence=sequence, path=path, status="succeeded", output=output)


def checkpoint(*steps: CompletedStep, parked: dict[str, int] | None = None) -> Checkpoint:
    return Checkpoint(steps, last_sequence=max(s.sequence for s in steps), parked=parked)


def test_a_resumed_run_keeps_what_it_recorded_and_runs_from_the_first_unrecorded_step(world):
    workflow = definition(
        [node("echo-1"), node("echo-2"), node("echo-3")],
        {
            "echo-1": echo(string("sent")),
            "echo-2": echo(jsonpath("$.steps.echo-1.value")),
            "echo-3": echo(jsonpath("$.steps.trigger.name")),
        },
    )
    resumed_from = checkpoint(
        done(1, "trigger", {"name": "Acme"}), done(2, "echo-1", {"value": "sent at 9:00"})
    )

    outcome = run(workflow, {"name": "ignored"}, checkpoint=resumed_from)

    assert outcome.status == "succeeded"
    # Steps recorded before are neither run nor recorded again; what they output is read.
    assert world.calls == [("echo-2", {"value": "sent at 9:00"}), ("echo-3", {"value": "Acme"})]
    assert world.recorder.summary() == [(3, "echo-2", "succeeded"), (4, "echo-3", "succeeded")]


def test_resuming_inside_a_loop_reenters_it_at_the_first_unrecorded_iteration(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.names")),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
        },
    )
    # The loop's own record (sequence 2) is written when it ends: it had not.
    resumed_from = checkpoint(
        done(1, "trigger", {"names": ["Ada", "Bob", "Cy"]}),
        done(3, "loop-1[0].echo-1", {"value": "Ada"}),
        done(4, "loop-1[1].echo-1", {"value": "Bob"}),
    )

    run(workflow, checkpoint=resumed_from)

    assert world.calls == [("loop-1", {"items": ["Ada", "Bob", "Cy"]}), ("echo-1", {"value": "Cy"})]
    assert world.recorder.summary() == [
        (5, "loop-1[2].echo-1", "succeeded"),
        (2, "loop-1", "succeeded"),
    ]
    assert world.recorder.by_path()["loop-1"].output == {
        "count": 3,
        "iterations": 3,
        "continued_failures": 0,
    }


def test_a_loop_that_ended_before_is_not_recorded_again(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.names")),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
            "echo-2": echo(string("after the loop")),
        },
    )
    resumed_from = checkpoint(
        done(1, "trigger", {"names": ["Ada"]}),
        done(2, "loop-1", {"count": 1, "iterations": 1, "continued_failures": 0}),
        done(3, "loop-1[0].echo-1", {"value": "Ada"}),
    )

    run(workflow, checkpoint=resumed_from)

    assert [name for name, _ in world.calls] == ["loop-1", "echo-2"]
    assert world.recorder.summary() == [(4, "echo-2", "succeeded")]


def test_a_delay_recorded_before_the_run_parked_is_not_waited_again(world):
    workflow = definition(
        [node("pause-1"), node("echo-1")],
        {"pause-1": step("steps", "pause", seconds=typed(30)), "echo-1": echo(string("after"))},
    )
    resumed_from = checkpoint(
        done(1, "trigger", {}), done(2, "pause-1", {"value": "2025-06-01T09:00:30+00:00"})
    )

    outcome = run(workflow, checkpoint=resumed_from)

    assert outcome.status == "succeeded"
    assert world.calls == [("echo-1", {"value": "after"})]


def test_the_step_that_parked_runs_again_when_the_run_resumes(world):
    workflow = definition(
        [node("echo-1"), node("limited-1")],
        {
            "echo-1": echo(string("before")),
            "limited-1": step("steps", "rate_limited", seconds=typed(60)),
        },
    )
    world.refusals = 0  # the vendor takes the call now
    resumed_from = checkpoint(
        done(1, "trigger", {}), done(2, "echo-1", {"value": "before"}), parked={"limited-1": 1}
    )

    outcome = run(workflow, checkpoint=resumed_from)

    assert outcome.status == "succeeded"
    assert world.recorder.summary() == [(3, "limited-1", "succeeded")]


def test_steps_keeping_run_storage_run_again_to_rebuild_it_and_are_not_recorded_again(world):
    workflow = definition(
        [node("count-1"), node("count-2")],
        {"count-1": step("steps", "count"), "count-2": step("steps", "count")},
    )
    resumed_from = checkpoint(done(1, "trigger", {}), done(2, "count-1", {"count": 1}))

    run(workflow, checkpoint=resumed_from)

    assert [name for name, _ in world.calls] == ["count-1", "count-2"]
    assert world.recorder.summary() == [(3, "count-2", "succeeded")]
    assert world.recorder.records[0].output == {"count": 2}


def test_records_that_do_not_follow_the_execution_stop_matching_and_sequences_move_past_them(
    world,
):
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {"echo-1": echo(string("one")), "echo-2": echo(string("two"))},
    )
    resumed_from = checkpoint(done(1, "trigger", {}), done(2, "something-else", {}))

    run(workflow, checkpoint=resumed_from)

    assert [name for name, _ in world.calls] == ["echo-1", "echo-2"]
    assert world.recorder.summary() == [(3, "echo-1", "succeeded"), (4, "echo-2", "succeeded")]


def test_only_steps_with_effects_outside_the_run_are_recorded_durably(world):
    workflow = definition(
        [loop_node("loop-1", node("read-1"), node("echo-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.names")),
            "read-1": step("steps", "read", value=jsonpath("$.steps.loop-1.value")),
            "echo-1": echo(jsonpath("$.steps.read-1.value")),
        },
    )

    run(workflow, {"names": ["Ada", "Bob"]})

    # A read may run again after a lost worker; a send must not unless it was in flight.
    assert world.recorder.durable == ["loop-1[0].echo-1", "loop-1[1].echo-1"]


class TrackedOutput(dict):
    """A recorded output that counts how many of its kind are alive at once."""

    alive = 0
    most_alive = 0

    def __init__(self, value: int) -> None:
        super().__init__(value=value)
        TrackedOutput.alive += 1
        TrackedOutput.most_alive = max(TrackedOutput.most_alive, TrackedOutput.alive)

    def __del__(self) -> None:
        TrackedOutput.alive -= 1


def test_resuming_a_100000_item_loop_at_iteration_60000_holds_one_recorded_output_at_a_time(
    world,
):
    # Given a run that recorded 60,000 of its loop's 100,000 iterations before it stopped
    # (its iteration 60,002 breaks the loop, so the test need not run the other 40,000)
    items = [{"n": index, "stop": index == 60_001} for index in range(100_000)]
    workflow = definition(
        [loop_node("loop-1", node("read-1"), branch_node("if-1", yes=[node("break-1")]))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "read-1": step("steps", "read", value=jsonpath("$.steps.loop-1.value.n")),
            "if-1": step("flow", "if", condition=jsonpath("$.steps.loop-1.value.stop")),
            "break-1": step("flow", "break", loop=string("loop-1")),
        },
    )
    handed_out = 0

    def recorded() -> Iterator[CompletedStep]:
        # As the database hands them out: one at a time, in sequence order.
        nonlocal handed_out
        yield done(1, "trigger", {"items": items})
        for index in range(60_000):
            handed_out += 1
            yield done(3 + 2 * index, f"loop-1[{index}].read-1", TrackedOutput(index))
            yield done(4 + 2 * index, f"loop-1[{index}].if-1", {"lane": "no"})

    TrackedOutput.alive = TrackedOutput.most_alive = 0

    # When it resumes
    outcome = run(workflow, checkpoint=Checkpoint(recorded(), last_sequence=120_002))

    # Then it went through every recorded iteration holding only the output of the one it
    # was in, and of the next record, read ahead
    assert outcome.status == "succeeded"
    assert handed_out == 60_000
    assert TrackedOutput.most_alive == 2
    assert TrackedOutput.alive == 0
    # And it ran on from the first unrecorded iteration
    assert world.recorder.summary() == [
        (120_003, "loop-1[60000].read-1", "succeeded"),
        (120_004, "loop-1[60000].if-1", "succeeded"),
        (120_005, "loop-1[60001].read-1", "succeeded"),
        (120_006, "loop-1[60001].if-1", "succeeded"),
        (120_007, "loop-1[60001].break-1", "succeeded"),
        (2, "loop-1", "succeeded"),
    ]
    assert world.recorder.records[0].output == {"value": 60_000}
    assert world.recorder.records[-1].output == {
        "count": 100_000,
        "iterations": 60_002,
        "continued_failures": 0,
    }


@pytest.mark.parametrize(
    ("operation", "properties", "parked", "status", "error"),
    [
        ("crash", {}, {}, "failed", "Internal error in Steps Crash: KeyError"),
        ("cancelled_in_flight", {}, {}, "cancelled", ""),
        (
            "rate_limited",
            {"seconds": typed(60)},
            {"again-1": 3},
            "failed",
            "Vendor rate limit reached (HTTP 429); gave up after waiting 3 times "
            "(CONNECTOR_MAX_RETRIES)",
        ),
    ],
    ids=["fails", "is-cancelled", "parked-too-often"],
)
def test_a_step_run_again_on_resume_that_ends_the_run_is_not_recorded_twice(
    world, operation, properties, parked, status, error
):
    # Given a run resuming after a step whose record is only a note (the database refused
    # its output), so the step runs again
    world.refusals = 1
    workflow = definition([node("again-1")], {"again-1": step("steps", operation, **properties)})
    note = CompletedStep(sequence=2, path="again-1", status="failed", output=None)

    # When it ends the run this time too
    outcome = run(workflow, checkpoint=checkpoint(done(1, "trigger", {}), note, parked=parked))

    # Then the run ends so, and the step keeps its one record
    assert (outcome.status, outcome.error) == (status, error)
    assert world.recorder.summary() == []
