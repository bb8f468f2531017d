"""Loop collection: runs the steps inside it once for each item of a list or pair of an object."""

from typing import Any

from connectors.errors import InputError
from connectors.schema import (
    any_value,
    array,
    boolean,
    input_object,
    integer,
    obj,
    output_object,
    string,
)
from connectors.sdk import Connector, Operation, OperationContext, OperationKind

# What the steps inside a loop read from it: $.steps.<loop>.value and the rest.
ITERATION_PROPERTIES: dict[str, Any] = {
    "value": any_value("Value", "The current item."),
    "index": integer("Index", "Position, from 0."),
    "count": integer("Count", "How many items."),
    "is_first": boolean("Is first"),
    "is_last": boolean("Is last"),
}
ITERATION_SCHEMA = output_object(ITERATION_PROPERTIES, required=())
OBJECT_ITERATION_SCHEMA = output_object(
    {
        "key": string("Key", "The current key."),
        **ITERATION_PROPERTIES,
        "value": any_value("Value", "The value of the current key."),
    },
    required=(),
)


def run_loop_list(context: OperationContext, inputs: dict[str, Any]) -> list[Any]:
    items = inputs["list"]
    if not isinstance(items, list):
        raise InputError(f"List must be a list, got {type(items).__name__}.")
    return items


def run_loop_object(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    # An object is handed to the engine whole: it iterates the pairs, giving each its key.
    pairs: dict[str, Any] = inputs["object"]
    return pairs


def run_break_loop(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    # The engine stops the loop named here once this output is recorded.
    return {"loop": inputs["loop"]}


LOOP_LIST = Operation(
    key="loop_list",
    title="Loop list",
    description="Run the steps inside once for each item of a list.",
    input_schema=input_object(
        {"list": array("List", "The list to loop through, e.g. $.steps.totango-1.hits.")},
        required=["list"],
    ),
    output_schema=ITERATION_SCHEMA,
    run=run_loop_list,
    kind=OperationKind.LOOP,
)

LOOP_OBJECT = Operation(
    key="loop_object",
    title="Loop object",
    description="Run the steps inside once for each key/value pair of an object.",
    input_schema=input_object(
        {
            "object": obj(
                "Object",
                description="The object whose pairs to loop through, e.g. "
                "$.steps.totango-2.account.attributes.",
            )
        },
        required=["object"],
    ),
    output_schema=OBJECT_ITERATION_SCHEMA,
    run=run_loop_object,
    kind=OperationKind.LOOP,
)

BREAK_LOOP = Operation(
    key="break_loop",
    title="Break loop",
    description="Stop a loop this step is inside: no more of its items run, and the workflow "
    "goes on after it.",
    input_schema=input_object(
        {
            "loop": string(
                "Loop",
                "The name of the loop step to break, e.g. loop-1; it may be an outer loop, "
                "which ends the loops inside it too.",
                min_length=1,
            )
        },
        required=["loop"],
    ),
    output_schema=output_object({"loop": string("Loop broken")}),
    run=run_break_loop,
    kind=OperationKind.BREAK,
)

CONTINUE_LOOP = Operation(
    key="continue_loop",
    title="Continue loop",
    description="Skip to the next item of a loop this step is inside: the steps after this one "
    "in the loop do not run for the current item.",
    input_schema=input_object(
        {
            "loop": string(
                "Loop",
                "The name of the loop step to go on with, e.g. loop-1; it may be an outer loop, "
                "which ends the loops inside it for the current item.",
                min_length=1,
            )
        },
        required=["loop"],
    ),
    output_schema=output_object({"loop": string("Loop continued")}),
    # The engine goes on with the named loop's next item once this output is recorded.
    run=run_break_loop,
    kind=OperationKind.CONTINUE,
)

CONNECTOR = Connector(
    key="loop",
    title="Loop collection",
    description="Iterate through a list or an object: the steps inside run once for each item.",
    icon="icon.svg",
    version="1.0",
    operations=(LOOP_LIST, LOOP_OBJECT, BREAK_LOOP, CONTINUE_LOOP),
)
