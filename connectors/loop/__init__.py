"""Loop collection: runs the steps inside it once for each item of a list or pair of an object."""

from typing import Any

from connectors.errors import InputError
from connectors.sdk import Connector, Operation, OperationContext, OperationKind

# What the steps inside a loop read from it: $.steps.<loop>.value and the rest.
ITERATION_PROPERTIES: dict[str, Any] = {
    "value": {"title": "Value", "description": "The current item."},
    "index": {"type": "integer", "title": "Index", "description": "Position, from 0."},
    "count": {"type": "integer", "title": "Count", "description": "How many items."},
    "is_first": {"type": "boolean", "title": "Is first"},
    "is_last": {"type": "boolean", "title": "Is last"},
}
ITERATION_SCHEMA: dict[str, Any] = {"type": "object", "properties": ITERATION_PROPERTIES}
OBJECT_ITERATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "key": {"type": "string", "title": "Key", "description": "The current key."},
        **ITERATION_PROPERTIES,
        "value": {"title": "Value", "description": "The value of the current key."},
    },
}


def run_loop_list(context: OperationContext, inputs: dict[str, Any]) -> list[Any]:
    items = inputs["list"]
    if not isinstance(items, list):
        raise InputError(f"List must be a list, got {type(items).__name__}.")
    return items


def run_loop_object(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    # An object is handed to the engine whole: it iterates the pairs, giving each its key.
    return inputs["object"]


def run_break_loop(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    # The engine stops the loop named here once this output is recorded.
    return {"loop": inputs["loop"]}


LOOP_LIST = Operation(
    key="loop_list",
    title="Loop list",
    description="Run the steps inside once for each item of a list.",
    input_schema={
        "type": "object",
        "required": ["list"],
        "additionalProperties": False,
        "properties": {
            "list": {
                "type": "array",
                "title": "List",
                "description": "The list to loop through, e.g. $.steps.totango-1.hits.",
            }
        },
    },
    output_schema=ITERATION_SCHEMA,
    run=run_loop_list,
    kind=OperationKind.LOOP,
)

LOOP_OBJECT = Operation(
    key="loop_object",
    title="Loop object",
    description="Run the steps inside once for each key/value pair of an object.",
    input_schema={
        "type": "object",
        "required": ["object"],
        "additionalProperties": False,
        "properties": {
            "object": {
                "type": "object",
                "title": "Object",
                "description": "The object whose pairs to loop through, e.g. "
                "$.steps.totango-2.account.attributes.",
            }
        },
    },
    output_schema=OBJECT_ITERATION_SCHEMA,
    run=run_loop_object,
    kind=OperationKind.LOOP,
)

BREAK_LOOP = Operation(
    key="break_loop",
    title="Break loop",
    description="Stop a loop this step is inside: no more of its items run, and the workflow "
    "goes on after it.",
    input_schema={
        "type": "object",
        "required": ["loop"],
        "additionalProperties": False,
        "properties": {
            "loop": {
                "type": "string",
                "title": "Loop",
                "description": "The name of the loop step to break, e.g. loop-1; it may be an "
                "outer loop, which ends the loops inside it too.",
                "minLength": 1,
            }
        },
    },
    output_schema={
        "type": "object",
        "required": ["loop"],
        "properties": {"loop": {"type": "string", "title": "Loop broken"}},
    },
    run=run_break_loop,
    kind=OperationKind.BREAK,
)

CONNECTOR = Connector(
    key="loop",
    title="Loop collection",
    description="Iterate through a list or an object: the steps inside run once for each item.",
    icon="icon.svg",
    version="1.0",
    operations=(LOOP_LIST, LOOP_OBJECT, BREAK_LOOP),
)
