"""Boolean condition: runs its true or its false lane, as its conditions hold or not."""

from typing import Any

from connectors.comparisons import COMPARISON_TITLES, COMPARISONS, UNARY_COMPARISONS, compare
from connectors.errors import InputError
from connectors.schema import any_value, array, boolean, choice, input_object, output_object, string
from connectors.sdk import Connector, Operation, OperationContext, OperationKind


def run_boolean_condition(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    results = []
    for number, condition in enumerate(inputs["conditions"], start=1):
        try:
            results.append(
                compare(condition["value1"], condition["comparison"], condition.get("value2"))
            )
        except InputError as error:
            raise InputError(f"Condition {number}: {error.message}") from None
    result = all(results) if inputs.get("strictness", "All") == "All" else any(results)
    return {"result": result, "lane": "true" if result else "false"}


CONDITION_SCHEMA = input_object(
    {
        "value1": any_value("Value 1", "Any value, e.g. $.steps.loop-1.value."),
        "comparison": choice(
            "Comparison", dict(zip(COMPARISONS, COMPARISON_TITLES, strict=True)), default="==="
        )
        # The comparisons that take no value 2: the condition row hides it for them.
        | {"x-unary": sorted(UNARY_COMPARISONS)},
        "value2": any_value("Value 2", "Not needed by is empty and is not empty."),
    },
    required=["value1", "comparison"],
    # Every comparison but the two about emptiness needs its second value.
    **{
        "if": {
            "required": ["comparison"],
            "properties": {"comparison": {"enum": sorted(UNARY_COMPARISONS)}},
        },
        "else": {"required": ["value2"]},
    },
)

BOOLEAN_CONDITION = Operation(
    key="boolean_condition",
    title="Boolean condition",
    description="Test conditions and run the true lane when they hold, the false lane when not.",
    input_schema=input_object(
        {
            # x-editor names the properties panel's editor: a row per condition, All/Any as a
            # toggle (docs/connectors.md, "Editor hints").
            "strictness": choice(
                "Match",
                {"All": "All conditions", "Any": "Any condition"},
                "All: every condition must hold. Any: one is enough.",
                default="All",
            )
            | {"x-editor": "segmented"},
            "conditions": array("Conditions", min_items=1, items=CONDITION_SCHEMA)
            | {"x-editor": "conditions"},
        },
        required=["conditions"],
    ),
    output_schema=output_object(
        {
            "result": boolean("Result"),
            "lane": string("Lane taken", enum=["true", "false"]),
        }
    ),
    run=run_boolean_condition,
    kind=OperationKind.BRANCH,
    fixed_lanes=("true", "false"),
)

CONNECTOR = Connector(
    key="boolean",
    title="Boolean condition",
    description="Take one of two paths, as conditions on the workflow's data hold or not.",
    icon="icon.svg",
    version="1.0",
    operations=(BOOLEAN_CONDITION,),
)
