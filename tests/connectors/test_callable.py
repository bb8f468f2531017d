"""Callable and Call workflow in-process: the trigger's output is the caller's payload, the
response step hands its value to the platform, and Call workflow asks the platform to call
(through the worker: tests/test_call_workflow.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from connectors.errors import InputError
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation


class RecordingServices:
    def __init__(self) -> None:
        self.responses: list[Mapping[str, Any]] = []
        self.calls: list[dict[str, Any]] = []

    def respond(self, response: Mapping[str, Any]) -> None:
        self.responses.append(response)

    def call_workflow(
        self, *, step_path: str, workflow_id: str, payload: Any, wait: bool
    ) -> dict[str, Any]:
        self.calls.append(
            {"step_path": step_path, "workflow_id": workflow_id, "payload": payload, "wait": wait}
        )
        return {"run_id": "run-1", "response": {"ok": True}} if wait else {"run_id": "run-1"}


def context_with(services: RecordingServices, path: str = "call-1") -> OperationContext:
    return OperationContext(
        step_name=path, settings=ClientSettings(), services=services, step_path=path
    )


@pytest.mark.exercises("callable", "callable")
def test_the_trigger_outputs_the_payload_the_caller_sent():
    output = run_operation("callable", "callable", {"payload": {"account_id": "42"}})

    assert output == {"account_id": "42"}


@pytest.mark.exercises("callable", "callable_response")
def test_the_response_step_sets_the_runs_answer_as_its_value():
    services = RecordingServices()

    output = run_operation(
        "callable", "callable_response", {"value": [1, "two"]}, context_with(services, "answer-1")
    )

    assert output == {"value": [1, "two"]}
    assert services.responses == [{"value": [1, "two"]}]


def test_a_response_step_without_a_value_answers_null():
    services = RecordingServices()

    run_operation("callable", "callable_response", {}, context_with(services, "answer-1"))

    assert services.responses == [{"value": None}]


@pytest.mark.exercises("call_workflow", "call_workflow")
def test_fire_and_forget_asks_the_platform_to_call_without_waiting():
    services = RecordingServices()

    output = run_operation(
        "call_workflow",
        "call_workflow",
        {"workflow": "wf-1", "payload": {"account_id": "42"}},
        context_with(services, "loop-1[2].call-1"),
    )

    assert output == {"run_id": "run-1"}
    assert services.calls == [
        {
            "step_path": "loop-1[2].call-1",
            "workflow_id": "wf-1",
            "payload": {"account_id": "42"},
            "wait": False,
        }
    ]


def test_waiting_outputs_the_called_runs_response():
    services = RecordingServices()

    output = run_operation(
        "call_workflow",
        "call_workflow",
        {"workflow": "wf-1", "mode": "wait"},
        context_with(services),
    )

    assert output == {"run_id": "run-1", "response": {"ok": True}}
    assert services.calls[0]["payload"] == {}
    assert services.calls[0]["wait"] is True


@pytest.mark.parametrize(
    "inputs",
    [{}, {"workflow": ""}, {"workflow": "wf-1", "mode": "later"}, {"workflow": "wf-1", "x": 1}],
)
def test_a_call_without_a_workflow_or_with_an_unknown_mode_is_refused(inputs):
    with pytest.raises(InputError):
        run_operation("call_workflow", "call_workflow", inputs, context_with(RecordingServices()))
