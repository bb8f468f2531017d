"""Branch: runs the lane of the case whose value equals the value tested, or the default lane."""

from typing import Any

from connectors.comparisons import strictly_equal
from connectors.schema import any_value, array, input_object, output_object, string
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
    input_schema=input_object(
        {
            "value": any_value(
                "Value to test", "Any value, e.g. $.steps.totango-2.account.health.curr."
            ),
            # A row per case: its lane and the value it equals (docs/connectors.md).
            "cases": array(
                "Cases",
                "Several cases may name the same lane.",
                items=input_object(
                    {
                        "lane": string(
                            "Lane", "The name of the lane to run, e.g. red.", min_length=1
                        ),
                        "value": any_value(
                            "Value", "Equal to the value tested: same type, same value."
                        ),
                    },
                    required=["lane", "value"],
                ),
            )
            | {"x-editor": "cases"},
        },
        required=["value", "cases"],
    ),
    output_schema=output_object({"lane": string("Lane taken")}),
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
