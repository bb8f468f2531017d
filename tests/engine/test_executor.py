"""The executor: how a plan runs, step by step, and what it records of each step."""

from __future__ import annotations

import logging
from datetime import UTC

from builder.engine.executor import RunOutcome, RunProgress, StepRecord
from tests.engine.doubles import (
    branch_node,
    definition,
    loop_node,
    node,
    run,
    step,
)
from tests.helpers import jsonpath, string, typed


def echo(value: dict) -> dict:
    return step("steps", "echo", value=value)


def each(path: str) -> dict:
    return step("flow", "each", items=jsonpath(path))


# --- Steps in order, and their records ---


def test_steps_run_in_order_each_recorded_with_the_next_sequence(world):
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {"echo-1": echo(string("one")), "echo-2": echo(string("two"))},
    )

    outcome = run(workflow, {"id": 7})

    assert outcome == RunOutcome(status="succeeded", failed_step="", error="")
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "echo-1", "succeeded"),
        (3, "echo-2", "succeeded"),
    ]
    assert world.calls == [("echo-1", {"value": "one"}), ("echo-2", {"value": "two"})]


def test_sequences_continue_from_the_first_sequence_given(world):
    run(definition([node("echo-1")], {"echo-1": echo(string("one"))}), first_sequence=40)

    assert [record.sequence for record in world.recorder.records] == [41, 42]


def test_a_record_holds_the_steps_resolved_input_output_and_duration(world):
    workflow = definition(
        [node("wait-1"), node("echo-1")],
        {
            "wait-1": step("steps", "wait", seconds=typed(2.5)),
            "echo-1": echo(string("waited {$.steps.wait-1.value}s for {$.steps.trigger.name}")),
        },
    )

    run(workflow, {"name": "Acme"})

    trigger, wait, echoed = world.recorder.records
    assert trigger == StepRecord(
        sequence=1,
        path="trigger",
        step_name="trigger",
        connector="start",
        operation="start",
        status="succeeded",
        started_at=trigger.started_at,
        duration_ms=0.0,
        input={"payload": {"name": "Acme"}},
        output={"name": "Acme"},
    )
    assert (wait.input, wait.output, wait.duration_ms) == ({"seconds": 2.5}, {"value": 2.5}, 2500.0)
    assert (echoed.input, echoed.output) == (
        {"value": "waited 2.5s for Acme"},
        {"value": "waited 2.5s for Acme"},
    )
    assert trigger.started_at.tzinfo is UTC
    assert trigger.started_at <= wait.started_at <= echoed.started_at


def test_a_step_log_and_its_retries_are_recorded(world):
    run(definition([node("noisy-1")], {"noisy-1": step("steps", "noisy")}))

    noisy = world.recorder.by_path()["noisy-1"]
    assert noisy.log == [
        "Retry 1 of 2 in 1s: the vendor answered 503.",
        "Retry 2 of 2 in 2s: the vendor answered 503.",
        "Fetched page 2.",
    ]
    assert noisy.retries == 2


def test_a_run_without_steps_records_only_its_trigger(world):
    outcome = run(definition([], {}))

    assert outcome.status == "succeeded"
    assert world.recorder.summary() == [(1, "trigger", "succeeded")]


def test_the_trigger_output_is_its_payload_or_an_empty_object(world):
    run(definition([], {}), {})

    assert world.recorder.records[0].output == {}


def test_a_trigger_payload_its_schema_refuses_fails_the_run_at_the_trigger(world):
    outcome = run(definition([node("echo-1")], {"echo-1": echo(string("x"))}), [1, 2])

    assert outcome == RunOutcome(
        status="failed",
        failed_step="trigger",
        error="Invalid input 'payload': [1, 2] is not of type 'object'",
    )
    assert world.recorder.summary() == [(1, "trigger", "failed")]
    assert world.calls == []


# --- Failures ---


def test_a_failing_step_fails_the_run_and_the_steps_after_it_do_not_run(world):
    workflow = definition(
        [node("echo-1"), node("fail-1"), node("echo-2")],
        {
            "echo-1": echo(string("one")),
            "fail-1": step("steps", "fail", reason=string("no {$.steps.echo-1.value}")),
            "echo-2": echo(string("two")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="failed", failed_step="fail-1", error="Refused: no one")
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "echo-1", "succeeded"),
        (3, "fail-1", "failed"),
    ]
    failed = world.recorder.by_path()["fail-1"]
    assert (failed.input, failed.output, failed.error) == (
        {"reason": "no one"},
        None,
        "Refused: no one",
    )
    assert [name for name, _ in world.calls] == ["echo-1", "fail-1"]


def test_a_crash_in_a_connector_is_recorded_without_its_details_and_logged(world, caplog):
    with caplog.at_level(logging.ERROR, logger="builder.engine.executor"):
        outcome = run(definition([node("crash-1")], {"crash-1": step("steps", "crash")}))

    assert outcome.error == "Internal error in Steps Crash: KeyError"
    assert world.recorder.by_path()["crash-1"].error == "Internal error in Steps Crash: KeyError"
    [logged] = caplog.records
    assert logged.getMessage() == "Step crash-1 (steps.crash) crashed"
    # The traceback is logged; the secrets filter (auth_store.redaction), active once any test
    # of this process has decrypted a secret, hands it over already formatted as exc_text.
    traceback = logged.exc_text or logging.Formatter().formatException(logged.exc_info)
    assert traceback.rstrip().endswith("KeyError: 'a bug in the connector'")


def test_an_input_the_operation_schema_refuses_fails_the_step_before_it_runs(world):
    workflow = definition(
        [node("typed-1")], {"typed-1": step("steps", "typed", value=jsonpath("$.steps.trigger.n"))}
    )

    outcome = run(workflow, {"n": 0})

    assert outcome == RunOutcome(
        status="failed",
        failed_step="typed-1",
        error="Invalid input 'value': 0 is less than the minimum of 1",
    )
    assert world.recorder.by_path()["typed-1"].input == {"value": 0}
    assert world.calls == []


def test_an_output_the_operation_schema_refuses_fails_the_step(world):
    outcome = run(definition([node("bad-1")], {"bad-1": step("steps", "bad_output")}))

    assert outcome == RunOutcome(
        status="failed",
        failed_step="bad-1",
        error="Bad output returned an unexpected output at output.count: "
        "'count': 'three' is not of type 'integer'",
    )
    assert world.recorder.by_path()["bad-1"].output is None


def test_a_path_that_finds_nothing_fails_the_step_naming_the_path_and_property(world):
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {
            "echo-1": echo(string("Hello {$.steps.trigger.account.name}")),
            "echo-2": echo(string("never")),
        },
    )

    outcome = run(workflow, {"account": {"id": 1}})

    assert outcome == RunOutcome(
        status="failed",
        failed_step="echo-1",
        error="$.steps.trigger.account.name in property 'value' did not resolve",
    )
    failed = world.recorder.by_path()["echo-1"]
    # Nothing was resolved, so nothing is shown as its input.
    assert (failed.status, failed.input) == ("failed", None)
    assert world.calls == []


def test_a_fallback_stands_in_for_a_path_that_finds_nothing_in_a_run(world):
    workflow = definition(
        [node("echo-1")],
        {
            "echo-1": echo(
                jsonpath("$.steps.trigger.region", fallback=string("{$.steps.trigger.country}"))
            )
        },
    )

    run(workflow, {"country": "UK"})

    assert world.calls == [("echo-1", {"value": "UK"})]


# --- Loops ---


def test_a_loop_runs_its_steps_once_per_item_reading_value_and_index(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": each("$.steps.trigger.names"),
            "echo-1": echo(
                string(
                    "{$.steps.loop-1.index}/{$.steps.loop-1.count} {$.steps.loop-1.value} "
                    "first={$.steps.loop-1.is_first} last={$.steps.loop-1.is_last}"
                )
            ),
            "echo-2": echo(string("after")),
        },
    )

    outcome = run(workflow, {"names": ["Ada", "Bob", "Cy"]})

    assert outcome.status == "succeeded"
    assert [inputs["value"] for _, inputs in world.calls[1:]] == [
        "0/3 Ada first=true last=false",
        "1/3 Bob first=false last=false",
        "2/3 Cy first=false last=true",
        "after",
    ]


def test_a_loop_is_recorded_after_its_iterations_with_the_sequence_it_started_with(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": each("$.steps.trigger.names"),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
            "echo-2": echo(string("after")),
        },
    )

    run(workflow, {"names": ["Ada", "Bob"]})

    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (3, "loop-1[0].echo-1", "succeeded"),
        (4, "loop-1[1].echo-1", "succeeded"),
        (2, "loop-1", "succeeded"),
        (5, "echo-2", "succeeded"),
    ]
    loop = world.recorder.by_path()["loop-1"]
    assert (loop.input, loop.output) == (
        {"items": ["Ada", "Bob"]},
        {"count": 2, "iterations": 2, "continued_failures": 0},
    )


def test_a_loop_over_an_object_gives_each_key_with_its_value(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"))],
        {
            "loop-1": each("$.steps.trigger.health"),
            "echo-1": echo(string("{$.steps.loop-1.key}={$.steps.loop-1.value}")),
        },
    )

    run(workflow, {"health": {"acme": "red", "globex": "green"}})

    assert [inputs for _, inputs in world.calls[1:]] == [
        {"value": "acme=red"},
        {"value": "globex=green"},
    ]
    assert world.recorder.by_path()["loop-1"].output == {
        "count": 2,
        "iterations": 2,
        "continued_failures": 0,
    }


def test_a_loop_over_an_empty_list_runs_nothing_inside_and_the_run_goes_on(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1")), node("echo-2")],
        {
            "loop-1": each("$.steps.trigger.names"),
            "echo-1": echo(string("inside")),
            "echo-2": echo(string("after")),
        },
    )

    outcome = run(workflow, {"names": []})

    assert outcome.status == "succeeded"
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "loop-1", "succeeded"),
        (3, "echo-2", "succeeded"),
    ]
    assert world.recorder.by_path()["loop-1"].output == {
        "count": 0,
        "iterations": 0,
        "continued_failures": 0,
    }


def test_nested_loops_run_the_inner_loop_for_every_outer_item_at_indexed_paths(world):
    workflow = definition(
        [loop_node("outer", loop_node("inner", node("echo-1")))],
        {
            "outer": each("$.steps.trigger.teams"),
            "inner": each("$.steps.trigger.numbers"),
            "echo-1": echo(string("{$.steps.outer.value}{$.steps.inner.value}")),
        },
    )

    run(workflow, {"teams": ["a", "b"], "numbers": [1, 2]})

    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (4, "outer[0].inner[0].echo-1", "succeeded"),
        (5, "outer[0].inner[1].echo-1", "succeeded"),
        (3, "outer[0].inner", "succeeded"),
        (7, "outer[1].inner[0].echo-1", "succeeded"),
        (8, "outer[1].inner[1].echo-1", "succeeded"),
        (6, "outer[1].inner", "succeeded"),
        (2, "outer", "succeeded"),
    ]
    assert [inputs["value"] for name, inputs in world.calls if name == "echo-1"] == [
        "a1",
        "a2",
        "b1",
        "b2",
    ]


def test_an_inner_loop_reads_the_current_item_of_the_outer_loop(world):
    workflow = definition(
        [loop_node("outer", loop_node("inner", node("echo-1")))],
        {
            "outer": each("$.steps.trigger.teams"),
            "inner": each("$.steps.outer.value.members"),
            "echo-1": echo(jsonpath("$.steps.inner.value")),
        },
    )

    run(workflow, {"teams": [{"members": ["ada", "bob"]}, {"members": []}, {"members": ["cy"]}]})

    assert [inputs["value"] for name, inputs in world.calls if name == "echo-1"] == [
        "ada",
        "bob",
        "cy",
    ]
    assert world.recorder.by_path()["outer[1].inner"].output == {
        "count": 0,
        "iterations": 0,
        "continued_failures": 0,
    }


def test_a_step_inside_a_loop_reads_what_ran_before_it_in_the_same_iteration(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"), node("echo-2"))],
        {
            "loop-1": each("$.steps.trigger.names"),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
            "echo-2": echo(string("saw {$.steps.echo-1.value}")),
        },
    )

    run(workflow, {"names": ["Ada", "Bob"]})

    assert [inputs["value"] for name, inputs in world.calls if name == "echo-2"] == [
        "saw Ada",
        "saw Bob",
    ]


def test_run_storage_is_kept_across_iterations(world):
    workflow = definition(
        [loop_node("loop-1", node("count-1"))],
        {"loop-1": each("$.steps.trigger.names"), "count-1": step("steps", "count")},
    )

    run(workflow, {"names": ["a", "b", "c"]})

    assert [record.output for record in world.recorder.records[1:4]] == [
        {"count": 1},
        {"count": 2},
        {"count": 3},
    ]


def test_a_loop_whose_items_are_not_a_list_or_object_fails_before_any_iteration(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"))],
        {"loop-1": each("$.steps.trigger.names"), "echo-1": echo(string("inside"))},
    )

    outcome = run(workflow, {"names": "Ada"})

    assert outcome == RunOutcome(
        status="failed",
        failed_step="loop-1",
        error="Invalid input 'items': 'Ada' is not of type 'array', 'object'",
    )
    assert world.recorder.summary() == [(1, "trigger", "succeeded"), (2, "loop-1", "failed")]


def test_a_failure_inside_a_loop_fails_the_loop_naming_the_iteration(world):
    workflow = definition(
        [loop_node("loop-1", node("fail-1")), node("echo-1")],
        {
            "loop-1": each("$.steps.trigger.names"),
            "fail-1": step("steps", "fail", reason=jsonpath("$.steps.loop-1.value")),
            "echo-1": echo(string("after")),
        },
    )

    outcome = run(workflow, {"names": ["Ada", "Bob", "Cy"]})

    assert outcome == RunOutcome(
        status="failed", failed_step="loop-1[0].fail-1", error="Refused: Ada"
    )
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (3, "loop-1[0].fail-1", "failed"),
        (2, "loop-1", "failed"),
    ]
    loop = world.recorder.by_path()["loop-1"]
    assert loop.error == "Iteration 1 of 3 failed at loop-1[0].fail-1: Refused: Ada"
    assert loop.output == {"count": 3, "iterations": 1, "continued_failures": 0}


# --- Break ---


def break_definition(target: dict) -> dict:
    """Outer over teams, inner over numbers; the inner lane breaks `target` at number 2."""
    return definition(
        [
            loop_node(
                "outer",
                loop_node(
                    "inner",
                    node("echo-1"),
                    branch_node("if-1", yes=[node("break-1")]),
                    node("echo-2"),
                ),
            )
        ],
        {
            "outer": each("$.steps.trigger.teams"),
            "inner": each("$.steps.trigger.numbers"),
            "echo-1": echo(string("{$.steps.outer.value}{$.steps.inner.value}")),
            "if-1": step("flow", "if", condition=jsonpath("$.steps.inner.is_first")),
            "break-1": step("flow", "break", loop=target),
            "echo-2": echo(string("not broken")),
        },
    )


def echoed(world) -> list:
    return [inputs["value"] for name, inputs in world.calls if name.startswith("echo")]


def test_a_break_stops_its_loop_and_the_outer_loop_goes_on(world):
    outcome = run(break_definition(string("inner")), {"teams": ["a", "b"], "numbers": [1, 2, 3]})

    assert outcome.status == "succeeded"
    assert echoed(world) == ["a1", "b1"]
    records = world.recorder.by_path()
    assert records["outer[0].inner[0].break-1"].output == {"loop": "inner"}
    assert records["outer[0].inner"].output == {
        "count": 3,
        "iterations": 1,
        "continued_failures": 0,
    }
    assert records["outer"].output == {"count": 2, "iterations": 2, "continued_failures": 0}


def test_a_break_naming_the_outer_loop_stops_both(world):
    outcome = run(break_definition(string("outer")), {"teams": ["a", "b"], "numbers": [1, 2, 3]})

    assert outcome.status == "succeeded"
    assert echoed(world) == ["a1"]
    records = world.recorder.by_path()
    assert records["outer[0].inner"].output == {
        "count": 3,
        "iterations": 1,
        "continued_failures": 0,
    }
    assert records["outer"].output == {"count": 2, "iterations": 1, "continued_failures": 0}
    assert [record.status for record in world.recorder.records] == ["succeeded"] * 6


def test_a_break_naming_its_loop_from_the_run_is_checked_when_it_runs(world):
    workflow = break_definition(jsonpath("$.steps.trigger.loop"))

    outcome = run(workflow, {"teams": ["a"], "numbers": [1], "loop": "loop-9"})

    assert outcome == RunOutcome(
        status="failed",
        failed_step="outer[0].inner[0].break-1",
        error="'loop-9' is not a loop this step is inside (it is inside outer, inner).",
    )


def test_a_break_outside_any_loop_fails_when_it_runs(world):
    workflow = definition(
        [node("break-1")], {"break-1": step("flow", "break", loop=jsonpath("$.steps.trigger.loop"))}
    )

    outcome = run(workflow, {"loop": "loop-1"})

    assert outcome.error == "'loop-1' is not a loop this step is inside."


# --- Branches ---


def if_definition() -> dict:
    return definition(
        [branch_node("if-1", yes=[node("echo-1")], no=[node("echo-2")]), node("echo-3")],
        {
            "if-1": step("flow", "if", condition=jsonpath("$.steps.trigger.vip")),
            "echo-1": echo(string("vip: took {$.steps.if-1.lane}")),
            "echo-2": echo(string("not vip: took {$.steps.if-1.lane}")),
            "echo-3": echo(string("after")),
        },
    )


def test_a_branch_runs_only_the_lane_it_takes_then_the_steps_after_it(world):
    run(if_definition(), {"vip": True})

    assert echoed(world) == ["vip: took yes", "after"]
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "if-1", "succeeded"),
        (3, "echo-1", "succeeded"),
        (4, "echo-3", "succeeded"),
    ]


def test_a_branch_takes_the_other_lane_when_its_condition_is_false(world):
    run(if_definition(), {"vip": False})

    assert echoed(world) == ["not vip: took no", "after"]


def test_a_branch_lane_without_steps_runs_nothing(world):
    workflow = definition(
        [branch_node("if-1", yes=[node("echo-1")]), node("echo-2")],
        {
            "if-1": step("flow", "if", condition=typed(False)),
            "echo-1": echo(string("yes")),
            "echo-2": echo(string("after")),
        },
    )

    run(workflow)

    assert echoed(world) == ["after"]


def test_a_branch_of_cases_takes_the_lane_of_the_matching_case_or_its_default(world):
    cases = typed([{"lane": "hot", "value": "red"}, {"lane": "cold", "value": "blue"}])
    workflow = definition(
        [
            loop_node(
                "loop-1", branch_node("switch-1", hot=[node("echo-1")], other=[node("echo-2")])
            )
        ],
        {
            "loop-1": each("$.steps.trigger.colours"),
            "switch-1": step("flow", "switch", value=jsonpath("$.steps.loop-1.value"), cases=cases),
            "echo-1": echo(string("hot {$.steps.loop-1.value}")),
            "echo-2": echo(string("other {$.steps.loop-1.value}")),
        },
    )

    run(workflow, {"colours": ["red", "blue", "green"]})

    # blue takes the lane `cold`, which has no steps.
    assert echoed(world) == ["hot red", "other green"]
    assert [
        record.output["lane"] for record in world.recorder.records if record.step_name == "switch-1"
    ] == ["hot", "cold", "other"]


def test_a_failure_inside_a_branch_lane_fails_the_run_at_the_lanes_step(world):
    workflow = definition(
        [branch_node("if-1", yes=[node("fail-1")]), node("echo-1")],
        {
            "if-1": step("flow", "if", condition=typed(True)),
            "fail-1": step("steps", "fail", reason=string("in the lane")),
            "echo-1": echo(string("after")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(
        status="failed", failed_step="fail-1", error="Refused: in the lane"
    )
    assert world.recorder.by_path()["if-1"].status == "succeeded"


# --- Progress ---


def test_progress_shows_each_loops_completed_iterations_and_the_last_step(world):
    progress = RunProgress()
    workflow = definition(
        [loop_node("outer", loop_node("inner", node("echo-1"))), node("echo-2")],
        {
            "outer": each("$.steps.trigger.teams"),
            "inner": each("$.steps.outer.value"),
            "echo-1": echo(jsonpath("$.steps.inner.value")),
            "echo-2": echo(string("after")),
        },
    )

    run(workflow, {"teams": [[1, 2, 3], [4]]}, progress=progress)

    # The inner loop shows its last run, of the second team.
    assert progress.snapshot() == {
        "current_step": "echo-2",
        "loops": {"inner": {"done": 1, "count": 1}, "outer": {"done": 2, "count": 2}},
    }


def test_progress_counts_only_iterations_that_ran_to_their_end(world):
    progress = RunProgress()

    run(
        break_definition(string("inner")),
        {"teams": ["a"], "numbers": [1, 2, 3]},
        progress=progress,
    )

    assert progress.snapshot() == {
        "current_step": "outer[0].inner[0].break-1",
        "loops": {"outer": {"done": 1, "count": 1}},
    }


def test_progress_names_the_step_a_run_failed_at(world):
    progress = RunProgress()
    workflow = definition(
        [loop_node("loop-1", node("typed-1"))],
        {
            "loop-1": each("$.steps.trigger.numbers"),
            "typed-1": step("steps", "typed", value=jsonpath("$.steps.loop-1.value")),
        },
    )

    run(workflow, {"numbers": [3, 2, 0, 5]}, progress=progress)

    assert progress.snapshot() == {
        "current_step": "loop-1[2].typed-1",
        "loops": {"loop-1": {"done": 2, "count": 4}},
    }
