"""Loop collection: runs the steps inside it once for each item of a list."""

from typing import Any

from connectors.errors import InputError
from connectors.sdk import Connector, Operation, OperationContext, OperationKind

# What the steps inside a loop read from it: $.steps.<loop>.value and the rest.
ITERATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "value": {"title": "Value", "description": "The current item."},
        "index": {"type": "integer", "title": "Index", "description": "Position, from 0."},
        "count": {"type": "integer", "title": "Count", "description": "How many items."},
        "is_first": {"type": "boolean", "title": "Is first"},
        "is_last": {"type": "boolean", "title": "Is last"},
    },
}


def run_loop_list(context: OperationContext, inputs: dict[str, Any]) -> list[Any]:
    items = inputs["list"]
    if not isinstance(items, list):
        raise InputError(f"List must be a list, got {type(items).__name__}.")
    return items


CONNECTOR = Connector(
    key="loop",
    title="Loop collection",
    description="Iterate through a list: the steps inside run once for each item.",
    icon="icon.svg",
    version="1.0",
    operations=(
        Operation(
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
        ),
    ),
)
