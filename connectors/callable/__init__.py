"""Callable: a workflow another workflow starts with its Call workflow step, and the step that
gives the caller its answer.

The caller's payload is the trigger's output. A Callable response step sets the run's answer,
`{"value": ...}` (builder/services/run_services.py stores it as the run's response), which a
caller waiting for it receives as its step's `response` once this run has succeeded.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import TerminalError
from connectors.schema import any_value, obj, output_object
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_callable(context: OperationContext, inputs: dict[str, Any]) -> Any:
    # The payload the calling step sent (or the one given to Run workflow) is the output.
    return inputs.get("payload") or {}


CALLABLE = Operation(
    key="callable",
    title="Callable",
    description="Runs when another workflow calls it with a Call workflow step; the payload "
    "it sends is $.steps.trigger.",
    # No additionalProperties: false here, unlike actions: the engine gives the trigger the
    # payload ({"payload": ...}) as its input. A definition still cannot set other
    # properties: the compiler refuses any not listed.
    input_schema={
        "type": "object",
        "properties": {
            "input_example": obj(
                "Input example",
                description='What callers are expected to send, e.g. {"account_id": "42"}: '
                "shown on the trigger card. Nothing checks a call against it.",
            )
        },
    },
    output_schema={"type": "object", "title": "Payload the caller sent"},
    run=run_callable,
    kind=OperationKind.TRIGGER,
)


def run_callable_response(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    if context.services is None:
        raise TerminalError("Callable response answers a call of a run; there is no run here.")
    answer = {"value": inputs.get("value")}
    context.services.respond(answer)
    context.log.append("Set the run's answer for its caller.")
    return answer


CALLABLE_RESPONSE = Operation(
    key="callable_response",
    title="Callable response",
    description="Give the workflow that called this one its answer: the output of its Call "
    "workflow step (when it waits for the answer). A later one replaces it.",
    input_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "value": any_value("Value", "Any JSON: a text, a number, an object, a list."),
        },
    },
    output_schema=output_object({"value": any_value("Value")}),
    run=run_callable_response,
    # It sets the run's own answer, the same each time: running it again changes nothing.
    repeatable=True,
)

CONNECTOR = Connector(
    key="callable",
    title="Callable",
    description="Start the workflow from another workflow's Call workflow step, and answer it.",
    icon="icon.svg",
    version="1.0",
    operations=(CALLABLE, CALLABLE_RESPONSE),
)
