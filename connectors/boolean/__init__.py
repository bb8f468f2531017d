"""Boolean condition: runs its true or its false lane, as its conditions hold or not."""

from typing import Any

from connectors.comparisons import COMPARISON_TITLES, COMPARISONS, UNARY_COMPARISONS, compare
from connectors.errors import InputError
from connectors.sdk import Connector, Operation, OperationContext, OperationKind

STRICTNESS = ("All", "Any")


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


CONDITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["value1", "comparison"],
    "additionalProperties": False,
    "properties": {
        "value1": {"title": "Value 1", "description": "Any value, e.g. $.steps.loop-1.value."},
        "comparison": {
            "type": "string",
            "title": "Comparison",
            "enum": list(COMPARISONS),
            "enumNames": list(COMPARISON_TITLES),
            "default": "===",
        },
        "value2": {
            "title": "Value 2",
            "description": "Not needed by Is empty and Is not empty.",
        },
    },
    # Every comparison but the two about emptiness needs its second value.
    "if": {
        "required": ["comparison"],
        "properties": {"comparison": {"enum": sorted(UNARY_COMPARISONS)}},
    },
    "else": {"required": ["value2"]},
}

BOOLEAN_CONDITION = Operation(
    key="boolean_condition",
    title="Boolean condition",
    description="Test conditions and run the true lane when they hold, the false lane when not.",
    input_schema={
        "type": "object",
        "required": ["conditions"],
        "additionalProperties": False,
        "properties": {
            "conditions": {
                "type": "array",
                "title": "Conditions",
                "minItems": 1,
                "items": CONDITION_SCHEMA,
            },
            "strictness": {
                "type": "string",
                "title": "Strictness",
                "description": "All: every condition must hold. Any: one is enough.",
                "enum": list(STRICTNESS),
                "enumNames": ["Satisfy all conditions", "Satisfy any condition"],
                "default": "All",
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["result", "lane"],
        "properties": {
            "result": {"type": "boolean", "title": "Result"},
            "lane": {"type": "string", "title": "Lane taken", "enum": ["true", "false"]},
        },
    },
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
