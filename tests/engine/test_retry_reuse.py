"""Retrying a failed run: the steps that succeeded before are not run again, matched by path."""

from __future__ import annotations

from builder.engine.executor import EarlierStep, StepRecord
from tests.engine.doubles import definition, loop_node, node, run, step
from tests.helpers import jsonpath, string

REUSED_LOG = ["Output reused from the run being retried."]


def echo(value: dict) -> dict:
    return step("steps", "echo", value=value)


def test_a_step_that_succeeded_before_is_not_run_again_and_its_output_is_read(world):
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {
            "echo-1": echo(string("message sent")),
            "echo-2": echo(string("read {$.steps.echo-1.value}")),
        },
    )
    earlier = EarlierStep("steps", "echo", {"value": "message sent"}, {"value": "sent at 9:00"})

    outcome = run(workflow, reuse={"echo-1": earlier})

    assert outcome.status == "succeeded"
    assert world.calls == [("echo-2", {"value": "read sent at 9:00"})]
    reused = world.recorder.by_path()["echo-1"]
    assert reused == StepRecord(
        sequence=2,
        path="echo-1",
        step_name="echo-1",
        connector="steps",
        operation="echo",
        status="succeeded",
        started_at=reused.started_at,
        duration_ms=0.0,
        input={"value": "message sent"},
        output={"value": "sent at 9:00"},
        log=REUSED_LOG,
        reused=True,
    )


def test_a_reused_step_keeps_the_input_it_ran_with_even_if_the_workflow_changed_it(world):
    workflow = definition([node("echo-1")], {"echo-1": echo(string("fixed text"))})
    earlier = EarlierStep("steps", "echo", {"value": "typo"}, {"value": "typo"})

    run(workflow, reuse={"echo-1": earlier})

    assert world.calls == []
    assert world.recorder.by_path()["echo-1"].input == {"value": "typo"}


def test_the_trigger_of_the_run_being_retried_is_reused(world):
    workflow = definition([node("echo-1")], {"echo-1": echo(jsonpath("$.steps.trigger.name"))})
    earlier = EarlierStep("start", "start", {"payload": {"name": "Acme"}}, {"name": "Acme"})

    run(workflow, {"name": "ignored"}, reuse={"trigger": earlier})

    assert world.calls == [("echo-1", {"value": "Acme"})]
    assert world.recorder.records[0].reused is True


def test_reuse_is_by_path_so_only_the_iterations_that_succeeded_are_skipped(world):
    workflow = definition(
        [loop_node("loop-1", node("echo-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.names")),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
        },
    )
    reuse = {
        "loop-1": EarlierStep(
            "flow", "each", {"items": ["x"]}, {"count": 1, "iterations": 1, "continued_failures": 0}
        ),
        "loop-1[0].echo-1": EarlierStep("steps", "echo", {"value": "Ada"}, {"value": "Ada"}),
        "loop-1[1].echo-1": EarlierStep("steps", "echo", {"value": "Bob"}, {"value": "Bob"}),
    }

    run(workflow, {"names": ["Ada", "Bob", "Cy"]}, reuse=reuse)

    # A loop runs again to list its items; its body's steps are matched one by one.
    assert world.calls == [("loop-1", {"items": ["Ada", "Bob", "Cy"]}), ("echo-1", {"value": "Cy"})]
    assert [(record.path, record.reused) for record in world.recorder.records] == [
        ("trigger", False),
        ("loop-1[0].echo-1", True),
        ("loop-1[1].echo-1", True),
        ("loop-1[2].echo-1", False),
        ("loop-1", False),
    ]


def test_a_step_whose_operation_changed_runs_again(world):
    workflow = definition(
        [node("echo-1"), node("echo-2")],
        {"echo-1": echo(string("now")), "echo-2": echo(string("now"))},
    )
    reuse = {
        "echo-1": EarlierStep("steps", "wait", {"seconds": 1}, {"value": 1}),
        "echo-2": EarlierStep("vault", "echo", {"value": "then"}, {"value": "then"}),
    }

    run(workflow, reuse=reuse)

    assert world.calls == [("echo-1", {"value": "now"}), ("echo-2", {"value": "now"})]
    assert [record.reused for record in world.recorder.records] == [False, False, False]


def test_a_step_that_keeps_run_storage_runs_again_so_the_state_is_rebuilt(world):
    workflow = definition(
        [node("count-1"), node("count-2")],
        {"count-1": step("steps", "count"), "count-2": step("steps", "count")},
    )
    reuse = {"count-1": EarlierStep("steps", "count", {}, {"count": 1})}

    run(workflow, reuse=reuse)

    assert [record.output for record in world.recorder.records[1:]] == [{"count": 1}, {"count": 2}]
    assert [name for name, _ in world.calls] == ["count-1", "count-2"]
