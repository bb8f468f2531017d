"""Branch: runs the lane of the case whose value equals the value tested, or the default lane."""

from typing import Any

from connectors.comparisons import strictly_equal
from connectors.sdk import Connector, Operation, OperationContext, OperationKind

DEFAULT_LANE = "default"


def run_branch(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    for case in inputs.get("cases", []):
        if strictly_equal(inputs["value"], case["value"]):
            return {"lane": case["lane"]}
    return {"lane": DEFAULT_LANE}


BRANCH = Operation(
    key="branch",
    title="Branch",
    description="Compare a value with each case in turn and run the lane of the first that "
    "equals it; the default lane when none does.",
    input_schema={
        "type": "object",
        "required": ["value", "cases"],
        "additionalProperties": False,
        "properties": {
            "value": {
                "title": "Value to test",
                "description": "Any value, e.g. $.steps.totango-2.account.health.curr.",
            },
            "cases": {
                "type": "array",
                "title": "Cases",
                "description": "Several cases may name the same lane.",
                "items": {
                    "type": "object",
                    "required": ["lane", "value"],
                    "additionalProperties": False,
                    "properties": {
                        "lane": {
                            "type": "string",
                            "title": "Lane",
                            "description": "The name of the lane to run, e.g. red.",
                            "minLength": 1,
                        },
                        "value": {
                            "title": "Value",
                            "description": "Equal to the value tested: same type, same value.",
                        },
                    },
                },
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["lane"],
        "properties": {"lane": {"type": "string", "title": "Lane taken"}},
    },
    run=run_branch,
    kind=OperationKind.BRANCH,
    fixed_lanes=(DEFAULT_LANE,),
    dynamic_lanes=True,
)

CONNECTOR = Connector(
    key="branch",
    title="Branch",
    description="Take one of several paths, as a value matches one case or another.",
    icon="icon.svg",
    version="1.0",
    operations=(BRANCH,),
)
