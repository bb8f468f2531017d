"""Call workflow, the Callable trigger and the Callable response step in the engine, with a fake
platform (RunServices): a call once per step path, fire and forget or waiting for the answer,
and a wait for another run that parks as often as it takes (it is no retry).
(Through the real stack: tests/test_call_workflow.py.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from builder.engine.definition import compile_definition
from builder.engine.executor import (
    Checkpoint,
    CompletedStep,
    RunExecutor,
    RunOutcome,
)
from connectors.call_workflow import CONNECTOR as CALL_WORKFLOW
from connectors.callable import CONNECTOR as CALLABLE
from connectors.errors import TerminalError, WaitingForRun
from connectors.sdk import ClientSettings
from tests.engine.doubles import (
    CONNECTORS,
    WALL_CLOCK_START,
    WORLD,
    loop_node,
    node,
    resolve_authentication,
    step,
)
from tests.helpers import jsonpath, string, typed

CHILD_WORKFLOW = "5b0f3c1e-8a4d-4f7e-9c2a-1d2e3f4a5b6c"


class FakePlatform:
    """Starts a "run" once per calling step path; a waited-for run ends when the test says."""

    def __init__(self) -> None:
        self.started: dict[str, str] = {}  # step path -> run id
        self.calls: list[dict[str, Any]] = []
        self.answers: dict[str, Any] = {}  # run id -> its answer, once it succeeded
        self.failures: dict[str, str] = {}  # run id -> its error, once it failed
        self.responses: list[Mapping[str, Any]] = []

    def respond(self, response: Mapping[str, Any]) -> None:
        self.responses.append(response)

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        self.calls.append(
            {"step_path": step_path, "workflow_id": workflow_id, "payload": payload, "wait": wait}
        )
        run_id = self.started.setdefault(step_path, f"run-{len(self.started) + 1}")
        if not wait:
            return {"run_id": run_id}
        if run_id in self.failures:
            raise TerminalError(f"The called workflow 'Child' failed (run {run_id}): oops")
        if run_id in self.answers:
            return {"run_id": run_id, "response": self.answers[run_id]}
        raise WaitingForRun(
            run_id=run_id,
            seconds=3600,
            reason=f"waiting for Child (run {run_id})",
            message=f"Waiting for run {run_id} of 'Child' to end",
        )


def call(mode: str | None = None, **payload: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "workflow": string(CHILD_WORKFLOW),
        "payload": {"type": "object", "value": payload},
    }
    if mode is not None:
        properties["mode"] = string(mode)
    return {"connector": "call_workflow", "operation": "call_workflow", "properties": properties}


def workflow(
    structure: list[dict[str, Any]], steps: dict[str, dict[str, Any]], trigger: str = "start"
) -> dict[str, Any]:
    return {
        "trigger": {"connector": trigger, "operation": trigger, "properties": {}},
        "steps_structure": structure,
        "steps": steps,
    }


def execute(
    definition: dict[str, Any],
    platform: FakePlatform | None,
    payload: Any = None,
    *,
    checkpoint: Checkpoint | None = None,
    settings: ClientSettings | None = None,
) -> RunOutcome:
    executor = RunExecutor(
        plan=compile_definition(
            definition,
            connectors={**CONNECTORS, "callable": CALLABLE, "call_workflow": CALL_WORKFLOW},
        ),
        recorder=WORLD.recorder,
        authentications=resolve_authentication,
        settings=settings or ClientSettings(),
        clock=WORLD.clock,
        now=WORLD.clock.wall,
        checkpoint=checkpoint,
        services=platform,
    )
    return executor.execute({} if payload is None else payload)


def checkpoint_of_what_was_recorded(**parked: int) -> Checkpoint:
    """Where the run resumes from: what it recorded so far, and how often each step parked."""
    records = WORLD.recorder.records
    WORLD.recorder.records = []
    return Checkpoint(
        [CompletedStep(r.sequence, r.path, r.status, r.output) for r in records],
        last_sequence=max(r.sequence for r in records),
        parked=parked,
    )


def test_fire_and_forget_outputs_the_run_id_at_once_and_the_next_step_reads_it(world):
    platform = FakePlatform()
    definition = workflow(
        [node("call-1"), node("echo-1")],
        {
            "call-1": call(account=jsonpath("$.steps.trigger.account")),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.call-1.run_id")),
        },
    )

    outcome = execute(definition, platform, {"account": "acme"})

    assert outcome == RunOutcome(status="succeeded")
    assert platform.calls == [
        {
            "step_path": "call-1",
            "workflow_id": CHILD_WORKFLOW,
            "payload": {"account": "acme"},
            "wait": False,
        }
    ]
    records = world.recorder.by_path()
    assert records["call-1"].output == {"run_id": "run-1"}
    assert records["call-1"].log == ["Started run run-1."]
    assert records["echo-1"].output == {"value": "run-1"}
    # It started a run: its record is stored before the next step, so a resumed run knows.
    assert "call-1" in world.recorder.durable


def test_waiting_parks_the_run_at_the_step_unrecorded_until_the_called_run_ends(world):
    platform = FakePlatform()
    definition = workflow(
        [node("echo-1"), node("call-1"), node("echo-2")],
        {
            "echo-1": step("steps", "echo", value=string("before")),
            "call-1": call("wait"),
            "echo-2": step("steps", "echo", value=jsonpath("$.steps.call-1.response.total")),
        },
    )

    outcome = execute(definition, platform)

    assert outcome == RunOutcome(
        status="waiting",
        resume_at=WALL_CLOCK_START + timedelta(seconds=3600),
        waiting_reason="waiting for Child (run run-1)",
        waiting_step="call-1",
        waiting_for_run="run-1",
    )
    assert world.recorder.summary() == [(1, "trigger", "succeeded"), (2, "echo-1", "succeeded")]


def test_the_resumed_step_finds_the_same_run_and_outputs_its_answer_to_the_next_step(world):
    platform = FakePlatform()
    definition = workflow(
        [node("call-1"), node("echo-1")],
        {
            "call-1": call("wait", account=string("acme")),
            "echo-1": step("steps", "echo", value=jsonpath("$.steps.call-1.response.total")),
        },
    )
    assert execute(definition, platform).status == "waiting"

    # When the called run has answered and this run resumes
    platform.answers["run-1"] = {"total": 3}
    outcome = execute(
        definition, platform, checkpoint=checkpoint_of_what_was_recorded(**{"call-1": 1})
    )

    assert outcome == RunOutcome(status="succeeded")
    assert [entry["step_path"] for entry in platform.calls] == ["call-1", "call-1"]
    assert platform.started == {"call-1": "run-1"}
    records = world.recorder.by_path()
    assert records["call-1"].output == {"run_id": "run-1", "response": {"total": 3}}
    assert records["call-1"].log == ["Run run-1 answered."]
    assert records["echo-1"].output == {"value": 3}


def test_waiting_for_a_run_parks_again_however_often_it_parked_before(world):
    # A vendor's wait gives up after CONNECTOR_MAX_RETRIES parks; a wait for a run does not:
    # the called run may take longer than any number of looks.
    platform = FakePlatform()
    definition = workflow([node("call-1")], {"call-1": call("wait")})
    assert execute(definition, platform).status == "waiting"

    outcome = execute(
        definition,
        platform,
        checkpoint=checkpoint_of_what_was_recorded(**{"call-1": 50}),
        settings=ClientSettings(max_retries=2),
    )

    assert (outcome.status, outcome.waiting_step, outcome.waiting_for_run) == (
        "waiting",
        "call-1",
        "run-1",
    )
    assert world.recorder.records == []


def test_a_called_run_that_failed_fails_the_waiting_step_naming_it(world):
    platform = FakePlatform()
    platform.started["call-1"] = "run-7"
    platform.failures["run-7"] = "oops"
    definition = workflow([node("call-1")], {"call-1": call("wait")})

    outcome = execute(definition, platform)

    error = "The called workflow 'Child' failed (run run-7): oops"
    assert outcome == RunOutcome(status="failed", failed_step="call-1", error=error)
    assert world.recorder.by_path()["call-1"].error == error


def test_each_iteration_of_a_loop_calls_once_by_its_own_step_path(world):
    platform = FakePlatform()
    definition = workflow(
        [loop_node("loop-1", node("call-1"))],
        {
            "loop-1": step("flow", "each", items=typed(["a", "b"])),
            "call-1": call(name=jsonpath("$.steps.loop-1.value")),
        },
    )

    outcome = execute(definition, platform)

    assert outcome.status == "succeeded"
    assert platform.started == {"loop-1[0].call-1": "run-1", "loop-1[1].call-1": "run-2"}
    assert [entry["payload"] for entry in platform.calls] == [{"name": "a"}, {"name": "b"}]


def test_without_the_platforms_services_a_call_fails_clearly(world):
    outcome = execute(workflow([node("call-1")], {"call-1": call()}), platform=None)

    assert outcome == RunOutcome(
        status="failed",
        failed_step="call-1",
        error="Call workflow calls from a run of a workflow; there is no run here.",
    )


def test_the_callable_trigger_outputs_the_payload_and_its_response_step_answers_the_caller(world):
    platform = FakePlatform()
    definition = workflow(
        [node("answer-1")],
        {
            "answer-1": {
                "connector": "callable",
                "operation": "callable_response",
                "properties": {
                    "value": {
                        "type": "object",
                        "value": {"greeting": string("Hello {$.steps.trigger.name}")},
                    }
                },
            }
        },
        trigger="callable",
    )

    outcome = execute(definition, platform, {"name": "Ada"})

    assert outcome.status == "succeeded", outcome
    records = world.recorder.by_path()
    assert records["trigger"].output == {"name": "Ada"}
    assert records["answer-1"].output == {"value": {"greeting": "Hello Ada"}}
    assert platform.responses == [{"value": {"greeting": "Hello Ada"}}]


def test_a_callable_response_without_a_run_fails_clearly(world):
    definition = workflow(
        [node("answer-1")],
        {"answer-1": {"connector": "callable", "operation": "callable_response", "properties": {}}},
        trigger="callable",
    )

    outcome = execute(definition, platform=None)

    assert outcome.error == "Callable response answers a call of a run; there is no run here."
