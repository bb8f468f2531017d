"""Error handling a step chooses (stop, continue, a failure lane, retries), Continue loop and
Terminate: validated at save with their paths, and what a run does with them."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from builder.engine.definition import compile_definition
from builder.engine.errors import DefinitionError
from builder.engine.executor import (
    Checkpoint,
    CompletedStep,
    EarlierStep,
    RunExecutor,
    RunOutcome,
    StepStatus,
)
from connectors.errors import CallTimedOut
from connectors.http import RetryPolicy
from connectors.sdk import ClientSettings
from tests.engine.doubles import (
    CONNECTORS,
    definition,
    loop_node,
    node,
    resolve_authentication,
    run,
    step,
)
from tests.helpers import jsonpath, string, typed


def errors(workflow: Any) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as raised:
        compile_definition(workflow, connectors=CONNECTORS)
    return [(error.path, error.message) for error in raised.value.errors]


def fail(reason: str = "no", **handling: Any) -> dict[str, Any]:
    found = step("steps", "fail", reason=typed(reason))
    if handling:
        found["error_handling"] = handling
    return found


def echo(value: dict[str, Any]) -> dict[str, Any]:
    return step("steps", "echo", value=value)


def with_handling(found: dict[str, Any], **handling: Any) -> dict[str, Any]:
    return {**found, "error_handling": handling}


def lane_node(name: str, *lane: dict[str, Any]) -> dict[str, Any]:
    return node(name, "normal", {"_error": list(lane)})


# --- Validation at save ---


def test_an_unknown_mode_is_refused_with_its_path():
    workflow = definition([node("fail-1")], {"fail-1": fail(mode="skip")})

    assert errors(workflow) == [
        ("steps.fail-1.error_handling.mode", "'skip' is not one of stop, continue, error_lane")
    ]


@pytest.mark.parametrize("attempts", [0, 11, 2.5, "3", True])
def test_retry_attempts_must_be_from_1_to_10(attempts):
    workflow = definition([node("fail-1")], {"fail-1": fail(retry={"attempts": attempts})})

    [(path, message)] = errors(workflow)
    assert path == "steps.fail-1.error_handling.retry.attempts"
    assert "from 1 to 10" in message


def test_bad_retry_settings_are_each_refused_with_their_path():
    workflow = definition(
        [node("fail-1")],
        {
            "fail-1": fail(
                mode="continue",
                retry={"backoff": "linear", "delay_seconds": -1, "max_delay_seconds": "x", "n": 1},
                extra=1,
            )
        },
    )

    assert [path for path, _ in errors(workflow)] == [
        "steps.fail-1.error_handling.extra",
        "steps.fail-1.error_handling.retry.n",
        "steps.fail-1.error_handling.retry.backoff",
        "steps.fail-1.error_handling.retry.delay_seconds",
        "steps.fail-1.error_handling.retry.max_delay_seconds",
    ]


def test_error_handling_must_be_an_object():
    workflow = definition([node("fail-1")], {"fail-1": fail() | {"error_handling": "continue"}})

    assert errors(workflow) == [
        ("steps.fail-1.error_handling", 'must be an object such as {"mode": "continue"}')
    ]


def test_an_error_lane_needs_its_failure_lane():
    workflow = definition([node("fail-1")], {"fail-1": fail(mode="error_lane")})

    [(path, message)] = errors(workflow)
    assert path == "steps.fail-1.error_handling.mode"
    assert '{"_error": [...]}' in message


@pytest.mark.parametrize("handling", [None, {"mode": "continue"}])
def test_a_failure_lane_on_a_step_not_in_error_lane_mode_is_refused(handling):
    found = fail() if handling is None else fail(**handling)
    workflow = definition(
        [lane_node("fail-1", node("echo-1"))],
        {"fail-1": found, "echo-1": echo(string("x"))},
    )

    [(path, message)] = errors(workflow)
    assert path == "steps_structure.0.content._error"
    assert "not error_lane" in message


def test_a_failure_lane_beside_other_content_is_refused():
    workflow = definition(
        [node("fail-1", "normal", {"_error": [], "_loop": []})],
        {"fail-1": fail(mode="error_lane")},
    )

    assert errors(workflow) == [
        ("steps_structure.0.content", "only loop and branch steps have content")
    ]


def test_flow_steps_and_triggers_take_no_error_handling():
    workflow = definition(
        [
            loop_node("loop-1", node("continue-1")),
            node("terminate-1"),
        ],
        {
            "loop-1": with_handling(
                step("flow", "each", items=jsonpath("$.steps.trigger.items")), mode="continue"
            ),
            "continue-1": with_handling(
                step("flow", "continue", loop=string("loop-1")), mode="stop"
            ),
            "terminate-1": with_handling(
                step("flow", "terminate", message=string("done")), mode="continue"
            ),
        },
    )
    workflow["trigger"]["error_handling"] = {"mode": "error_lane"}

    assert [path for path, _ in errors(workflow)] == [
        "trigger.error_handling",
        "steps.loop-1.error_handling",
        "steps.continue-1.error_handling",
        "steps.terminate-1.error_handling",
    ]


def test_a_failure_lane_step_reads_the_error_and_later_steps_do_not_see_the_lane():
    workflow = definition(
        [
            lane_node("fail-1", node("echo-1")),
            node("echo-2"),
        ],
        {
            "fail-1": fail(mode="error_lane"),
            "echo-1": echo(jsonpath("$.steps.fail-1.error.message")),
            "echo-2": echo(jsonpath("$.steps.echo-1.value")),
        },
    )

    [(path, message)] = errors(workflow)
    assert path == "steps.echo-2.properties.value"
    assert "does not run before this step" in message


def test_a_continue_loop_naming_a_loop_it_is_not_inside_is_refused():
    workflow = definition(
        [node("continue-1")], {"continue-1": step("flow", "continue", loop=string("loop-9"))}
    )

    assert errors(workflow) == [
        ("steps.continue-1.properties.loop", "'loop-9' is not a loop this step is inside")
    ]


def test_the_plan_keeps_the_error_handling_with_its_defaults():
    workflow = definition(
        [lane_node("fail-1", node("echo-1"))],
        {
            "fail-1": fail(mode="error_lane", retry={"attempts": 3, "backoff": "exponential"}),
            "echo-1": echo(string("x")),
        },
    )

    [plan] = compile_definition(workflow, connectors=CONNECTORS).steps
    handling = plan.error_handling
    assert (handling.mode, handling.attempts, handling.backoff) == ("error_lane", 3, "exponential")
    assert (handling.delay_seconds, handling.max_delay_seconds) == (1.0, 60.0)
    assert [step.name for step in plan.error_lane] == ["echo-1"]


def test_exponential_backoff_doubles_up_to_its_cap():
    workflow = definition(
        [node("fail-1")],
        {
            "fail-1": fail(
                retry={
                    "attempts": 6,
                    "backoff": "exponential",
                    "delay_seconds": 2,
                    "max_delay_seconds": 10,
                }
            )
        },
    )

    [plan] = compile_definition(workflow, connectors=CONNECTORS).steps
    assert [plan.error_handling.delay_before(attempt) for attempt in range(2, 7)] == [
        2,
        4,
        8,
        10,
        10,
    ]


# --- Stop, continue ---


def test_stop_is_the_default_and_fails_the_run_naming_the_step(world):
    workflow = definition(
        [node("fail-1"), node("echo-1")], {"fail-1": fail(mode="stop"), "echo-1": echo(string("x"))}
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="failed", failed_step="fail-1", error="Refused: no")
    assert world.recorder.summary() == [(1, "trigger", "succeeded"), (2, "fail-1", "failed")]


def test_continue_records_the_step_continued_and_later_steps_read_its_error(world):
    workflow = definition(
        [node("fail-1"), node("echo-1")],
        {
            "fail-1": fail("bad channel", mode="continue"),
            "echo-1": echo(jsonpath("$.steps.fail-1.error")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="succeeded", continued_failures=1)
    records = world.recorder.by_path()
    assert records["fail-1"].status == StepStatus.CONTINUED
    assert records["fail-1"].error == "Refused: bad channel"
    error = {"message": "Refused: bad channel", "type": "vendor_error", "status_code": None}
    assert records["fail-1"].output == {"error": error}
    assert records["echo-1"].output == {"value": error}


def test_continued_failures_in_a_loop_are_counted_and_the_loop_goes_on(world):
    workflow = definition(
        [loop_node("loop-1", node("flaky-1"), node("echo-1"))],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "flaky-1": with_handling(step("steps", "flaky"), mode="continue"),
            "echo-1": echo(jsonpath("$.steps.loop-1.value")),
        },
    )

    outcome = run(workflow, {"items": [1, 2, 3, 4]})

    assert outcome == RunOutcome(status="succeeded", continued_failures=2)
    statuses = {path: status for _, path, status in world.recorder.summary()}
    assert [statuses[f"loop-1[{index}].flaky-1"] for index in range(4)] == [
        "continued",
        "continued",
        "succeeded",
        "succeeded",
    ]
    assert world.recorder.by_path()["loop-1[0].flaky-1"].output["error"]["status_code"] == 503
    assert [statuses[f"loop-1[{index}].echo-1"] for index in range(4)] == ["succeeded"] * 4


def test_a_step_after_a_loop_reads_how_many_of_its_failures_were_continued(world):
    workflow = definition(
        [loop_node("loop-1", node("flaky-1")), node("echo-1")],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "flaky-1": with_handling(step("steps", "flaky"), mode="continue"),
            "echo-1": echo(jsonpath("$.steps.loop-1")),
        },
    )

    outcome = run(workflow, {"items": [1, 2, 3, 4]})

    assert outcome == RunOutcome(status="succeeded", continued_failures=2)
    summary = {"count": 4, "iterations": 4, "continued_failures": 2}
    assert world.recorder.by_path()["echo-1"].output == {"value": summary}
    assert world.recorder.by_path()["loop-1"].output == summary


def test_an_unresolved_property_is_an_input_error_that_is_not_retried(world):
    workflow = definition(
        [node("echo-1")],
        {
            "echo-1": with_handling(
                echo(jsonpath("$.steps.trigger.missing")),
                mode="continue",
                retry={"attempts": 3},
            )
        },
    )

    outcome = run(workflow)

    assert outcome.continued_failures == 1
    record = world.recorder.by_path()["echo-1"]
    assert record.output["error"]["type"] == "input_error"
    assert record.retries == 0
    assert world.sleeps == []


# --- Retry ---


def test_a_retried_step_succeeds_on_its_third_try_with_each_wait_in_its_log(world):
    workflow = definition(
        [node("flaky-1")],
        {"flaky-1": with_handling(step("steps", "flaky"), retry={"attempts": 3})},
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="succeeded")
    record = world.recorder.by_path()["flaky-1"]
    assert record.status == StepStatus.SUCCEEDED
    assert record.output == {"value": "sent"}
    assert record.log == [
        "Attempt 2 of 3 after 1 s: Vendor answered HTTP 503",
        "Attempt 3 of 3 after 1 s: Vendor answered HTTP 503",
    ]
    assert record.retries == 2
    assert world.sleeps == [1.0, 1.0]
    assert len(world.calls) == 3


def test_exponential_retries_wait_longer_each_time_then_the_mode_takes_over(world):
    world.failures = 10
    workflow = definition(
        [node("flaky-1"), node("echo-1")],
        {
            "flaky-1": with_handling(
                step("steps", "flaky"),
                mode="continue",
                retry={"attempts": 4, "backoff": "exponential", "delay_seconds": 0.5},
            ),
            "echo-1": echo(string("after")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(status="succeeded", continued_failures=1)
    assert world.sleeps == [0.5, 1.0, 2.0]
    record = world.recorder.by_path()["flaky-1"]
    assert record.status == StepStatus.CONTINUED
    assert record.retries == 3
    # The step's duration includes its waits.
    assert record.duration_ms == 3500


def test_retries_used_up_under_stop_fail_the_run(world):
    world.failures = 5
    workflow = definition(
        [node("flaky-1")],
        {"flaky-1": with_handling(step("steps", "flaky"), retry={"attempts": 2})},
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(
        status="failed", failed_step="flaky-1", error="Vendor answered HTTP 503"
    )
    assert len(world.calls) == 2


# --- Error lane ---


def test_a_failure_lane_runs_only_when_the_step_fails_then_the_run_goes_on(world):
    workflow = definition(
        [
            loop_node("loop-1", lane_node("flaky-1", node("alert-1"))),
            node("echo-2"),
        ],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "flaky-1": with_handling(step("steps", "flaky"), mode="error_lane"),
            "alert-1": echo(jsonpath("$.steps.flaky-1.error.message")),
            "echo-2": echo(string("after")),
        },
    )

    outcome = run(workflow, {"items": ["a", "b", "c"]})

    assert outcome == RunOutcome(status="succeeded", continued_failures=2)
    paths = [path for _, path, _ in world.recorder.summary()]
    assert paths == [
        "trigger",
        "loop-1[0].flaky-1",
        "loop-1[0].alert-1",
        "loop-1[1].flaky-1",
        "loop-1[1].alert-1",
        "loop-1[2].flaky-1",
        "loop-1",
        "echo-2",
    ]
    assert world.recorder.by_path()["loop-1[0].alert-1"].output == {
        "value": "Vendor answered HTTP 503"
    }


def test_a_failure_lane_ending_with_terminate_ends_the_run(world):
    workflow = definition(
        [lane_node("fail-1", node("terminate-1")), node("echo-1")],
        {
            "fail-1": fail(mode="error_lane"),
            "terminate-1": step(
                "flow", "terminate", message=jsonpath("$.steps.fail-1.error.message")
            ),
            "echo-1": echo(string("never")),
        },
    )

    outcome = run(workflow)

    assert outcome == RunOutcome(
        status="failed", failed_step="terminate-1", error="Refused: no", continued_failures=1
    )
    assert world.recorder.summary() == [
        (1, "trigger", "succeeded"),
        (2, "fail-1", "continued"),
        (3, "terminate-1", "succeeded"),
    ]


# --- Continue loop, Terminate ---


def test_continue_loop_skips_exactly_the_items_its_condition_names(world):
    workflow = definition(
        [
            loop_node(
                "loop-1",
                node("if-1", "branch", {"yes": [node("continue-1")], "no": []}),
                node("echo-1"),
            )
        ],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "if-1": step("flow", "if", condition=jsonpath("$.steps.loop-1.value.skip")),
            "continue-1": step("flow", "continue", loop=string("loop-1")),
            "echo-1": echo(jsonpath("$.steps.loop-1.value.id")),
        },
    )
    items = [{"id": n, "skip": n in (2, 5)} for n in range(1, 7)]

    outcome = run(workflow, {"items": items})

    assert outcome == RunOutcome(status="succeeded")
    echoed = [inputs["value"] for name, inputs in world.calls if name == "echo-1"]
    assert echoed == [1, 3, 4, 6]
    assert world.recorder.by_path()["loop-1"].output == {
        "count": 6,
        "iterations": 6,
        "continued_failures": 0,
    }


def test_continue_of_an_outer_loop_ends_the_inner_loop_for_that_item(world):
    workflow = definition(
        [
            loop_node(
                "outer",
                loop_node("inner", node("continue-1"), node("echo-1")),
                node("echo-2"),
            )
        ],
        {
            "outer": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "inner": step("flow", "each", items=jsonpath("$.steps.outer.value")),
            "continue-1": step("flow", "continue", loop=string("outer")),
            "echo-1": echo(string("never")),
            "echo-2": echo(string("never")),
        },
    )

    outcome = run(workflow, {"items": [[1, 2], [3]]})

    assert outcome == RunOutcome(status="succeeded")
    assert [name for name, _ in world.calls if name.startswith("echo")] == []
    assert world.recorder.by_path()["outer"].output == {
        "count": 2,
        "iterations": 2,
        "continued_failures": 0,
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("failed", RunOutcome(status="failed", failed_step="loop-1[1].stop-1", error="Enough")),
        ("succeeded", RunOutcome(status="succeeded")),
    ],
)
def test_terminate_ends_the_run_as_told_with_the_users_message(world, status, expected):
    workflow = definition(
        [
            loop_node(
                "loop-1",
                node("if-1", "branch", {"yes": [node("stop-1")], "no": []}),
                node("echo-1"),
            ),
            node("echo-2"),
        ],
        {
            "loop-1": step("flow", "each", items=jsonpath("$.steps.trigger.items")),
            "if-1": step("flow", "if", condition=jsonpath("$.steps.loop-1.value")),
            "stop-1": step("flow", "terminate", status=string(status), message=string("Enough")),
            "echo-1": echo(string("item")),
            "echo-2": echo(string("never")),
        },
    )

    outcome = run(workflow, {"items": [False, True, False]})

    assert outcome == expected
    statuses = {path: status for _, path, status in world.recorder.summary()}
    assert statuses["loop-1[1].stop-1"] == "succeeded"
    assert "loop-1[2].echo-1" not in statuses
    assert "echo-2" not in statuses
    # The loop's own record is kept with the iterations that ran.
    assert world.recorder.by_path()["loop-1"].output == {
        "count": 3,
        "iterations": 2,
        "continued_failures": 0,
    }


# --- Resume and Retry from failed step ---


def test_a_resumed_run_keeps_a_continued_step_and_takes_its_failure_lane_again(world):
    workflow = definition(
        [lane_node("fail-1", node("echo-1")), node("echo-2")],
        {
            "fail-1": fail(mode="error_lane"),
            "echo-1": echo(jsonpath("$.steps.fail-1.error.message")),
            "echo-2": echo(string("after")),
        },
    )
    error = {"error": {"message": "Refused: earlier", "type": "vendor_error", "status_code": 400}}
    resumed_from = Checkpoint(
        [
            CompletedStep(sequence=1, path="trigger", status="succeeded", output={}),
            CompletedStep(sequence=2, path="fail-1", status="continued", output=error),
        ],
        last_sequence=2,
    )

    outcome = run(workflow, checkpoint=resumed_from)

    assert outcome == RunOutcome(status="succeeded", continued_failures=1)
    # The failed step is not tried again; its lane reads the error it recorded.
    assert world.calls == [
        ("echo-1", {"value": "Refused: earlier"}),
        ("echo-2", {"value": "after"}),
    ]
    assert world.recorder.summary() == [(3, "echo-1", "succeeded"), (4, "echo-2", "succeeded")]


def test_retrying_a_run_tries_its_continued_steps_again(world):
    world.failures = 0
    workflow = definition(
        [node("echo-1"), node("flaky-1")],
        {
            "echo-1": echo(string("sent")),
            "flaky-1": with_handling(step("steps", "flaky"), mode="continue"),
        },
    )
    earlier = {"echo-1": EarlierStep("steps", "echo", {"value": "sent"}, {"value": "sent"})}

    outcome = run(workflow, reuse=earlier)

    assert outcome == RunOutcome(status="succeeded")
    assert [name for name, _ in world.calls] == ["flaky-1"]
    assert world.recorder.by_path()["flaky-1"].output == {"value": "sent"}


def test_retry_must_be_an_object_and_other_content_is_refused():
    workflow = definition(
        [node("fail-1"), node("echo-1", "normal", ["x"])],
        {"fail-1": fail(retry=3), "echo-1": echo(string("x"))},
    )

    assert errors(workflow) == [
        (
            "steps.fail-1.error_handling.retry",
            'must be an object such as {"attempts": 3, "backoff": "fixed"}',
        ),
        ("steps_structure.1.content", "only loop and branch steps have content"),
    ]


def test_the_failure_lane_of_a_step_with_refused_error_handling_is_still_checked():
    workflow = definition(
        [lane_node("fail-1", node("echo-1")), node("fail-2", "normal", {"_loop": []})],
        {
            "fail-1": fail(mode="error_lane", retry={"attempts": 0}),
            "echo-1": echo(jsonpath("$.steps.nowhere.value")),
            "fail-2": fail(mode="retry"),
        },
    )

    assert [path for path, _ in errors(workflow)] == [
        "steps.fail-1.error_handling.retry.attempts",
        "steps.echo-1.properties.value",
        "steps.fail-2.error_handling.mode",
        "steps_structure.1.content",
    ]


def executor_without_sleep(workflow: dict[str, Any], world: Any, cancelled: Any) -> RunExecutor:
    return RunExecutor(
        plan=compile_definition(workflow, connectors=CONNECTORS),
        recorder=world.recorder,
        authentications=resolve_authentication,
        settings=ClientSettings(cancelled=cancelled),
        clock=world.clock,
        now=world.clock.wall,
    )


def test_a_run_cancelled_while_a_step_waits_to_retry_stops_at_once(world):
    cancelled = threading.Event()
    cancelled.set()
    workflow = definition(
        [node("flaky-1")],
        {"flaky-1": with_handling(step("steps", "flaky"), retry={"attempts": 3})},
    )

    outcome = executor_without_sleep(workflow, world, cancelled).execute({})

    assert outcome == RunOutcome(status="cancelled")
    record = world.recorder.by_path()["flaky-1"]
    assert record.status == StepStatus.CANCELLED
    assert record.error == "Cancelled while waiting to try the step again."


@pytest.mark.parametrize("cancelled", [None, threading.Event()])
def test_a_run_not_cancelled_sleeps_through_the_wait(world, cancelled):
    workflow = definition(
        [node("flaky-1")],
        {
            "flaky-1": with_handling(
                step("steps", "flaky"), retry={"attempts": 3, "delay_seconds": 0}
            )
        },
    )

    outcome = executor_without_sleep(workflow, world, cancelled).execute({})

    assert outcome == RunOutcome(status="succeeded")
    assert world.recorder.by_path()["flaky-1"].retries == 2


def test_each_kind_of_failure_has_its_type_in_the_error_output(world):
    workflow = definition(
        [node("slow-1"), node("crash-1"), node("vault-1")],
        {
            "slow-1": with_handling(step("steps", "slow"), mode="continue"),
            "crash-1": with_handling(step("steps", "crash"), mode="continue"),
            "vault-1": with_handling(
                {**step("vault", "whoami"), "authentication": "gone"}, mode="continue"
            ),
        },
    )

    outcome = run(workflow)

    assert outcome.continued_failures == 3
    types = {
        path: record.output["error"]["type"]
        for path, record in world.recorder.by_path().items()
        if record.status == StepStatus.CONTINUED
    }
    assert types == {"slow-1": "timeout", "crash-1": "internal", "vault-1": "authentication_error"}


def test_a_timeout_given_up_on_by_the_transport_is_still_a_timeout():
    def attempt() -> None:
        raise CallTimedOut("vendor.test did not answer within 1s", retry_after=0)

    with pytest.raises(CallTimedOut) as raised:
        RetryPolicy(max_retries=1, max_retry_after=60).call(attempt, log=None)

    assert raised.value.message == "vendor.test did not answer within 1s; gave up after 1 retry"
