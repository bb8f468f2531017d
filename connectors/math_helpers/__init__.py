"""Math helpers: arithmetic, rounding, and the sum, average, minimum and maximum of a list.

Numbers are JSON numbers in and out, computed in decimal from the digits they are written
with, so 0.1 + 0.2 is 0.3 and 2.675 rounds to 2.68 (binary floats give 0.30000000000000004
and 2.67). A result with no fractional part is written as an integer (2.5 * 2 is 5); others
are the nearest JSON number to the decimal result (1 / 3 is 0.3333333333333333).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from connectors.comparisons import is_number, kind_of
from connectors.errors import InputError
from connectors.schema import (
    array,
    choice,
    input_object,
    integer,
    number,
    output_object,
    property_schema,
)
from connectors.sdk import Connector, Operation, OperationContext

OPERATORS = {
    "add": "Add (+)",
    "subtract": "Subtract (-)",
    "multiply": "Multiply (*)",
    "divide": "Divide (/)",
}
RESULT_NAMES = {
    "add": "The sum",
    "subtract": "The difference",
    "multiply": "The product",
    "divide": "The quotient",
}
# Enough digits for any JSON number a step can hold (a double has 17 significant ones).
DECIMAL = Context(prec=34)
# The largest magnitude a JSON number keeps in every reader (beyond, a double is infinite).
LARGEST = Decimal("1.7976931348623157e308")


def decimal(value: int | float) -> Decimal:
    # From the shortest text of a float, not its binary value: 0.1 is 0.1, not 0.1000000000000000055.
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def json_number(value: Decimal, what: str) -> int | float:
    if not value.is_finite() or abs(value) > LARGEST:
        raise InputError(f"{what} is too large for a JSON number (over 1.8e308).")
    # Integers beyond 2**53 are not exact in JavaScript: written as floats, as JSON readers see them.
    if value == value.to_integral_value() and abs(value) <= 2**53:
        return int(value)
    return float(value)


def number_list(values: list[Any]) -> list[Decimal]:
    problems = [
        f"'values[{index}]' is {kind_of(value)}, not a number."
        for index, value in enumerate(values)
        if not is_number(value)
    ]
    if problems:
        raise InputError(problems[0])
    return [decimal(value) for value in values]


def total(values: list[Decimal]) -> Decimal:
    result = Decimal(0)
    for value in values:
        result = DECIMAL.add(result, value)
    return result


def run_calculate(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    left, right = decimal(inputs["value1"]), decimal(inputs["value2"])
    operator = inputs["operator"]
    try:
        if operator == "add":
            result = DECIMAL.add(left, right)
        elif operator == "subtract":
            result = DECIMAL.subtract(left, right)
        elif operator == "multiply":
            result = DECIMAL.multiply(left, right)
        else:
            if right == 0:
                raise InputError("'value2' is 0: a number cannot be divided by zero.")
            result = DECIMAL.divide(left, right)
    except InvalidOperation:
        result = Decimal("Infinity")
    return {"result": json_number(result, RESULT_NAMES[operator])}


def run_round(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    places = inputs.get("places", 0)
    value = decimal(inputs["value"])
    try:
        rounded = value.quantize(
            Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=DECIMAL
        )
    except InvalidOperation:
        # More digits than the context holds: the value has no digits at that place to round.
        rounded = value
    return {"result": json_number(rounded, "The rounded value")}


def run_sum(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": json_number(total(number_list(inputs["values"])), "The sum")}


def run_average(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    values = number_list(inputs["values"])
    if not values:
        return {"result": None}
    average = DECIMAL.divide(total(values), Decimal(len(values)))
    return {"result": json_number(average, "The average")}


def run_minimum(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    values = number_list(inputs["values"])
    return {"result": json_number(min(values), "The minimum") if values else None}


def run_maximum(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    values = number_list(inputs["values"])
    return {"result": json_number(max(values), "The maximum") if values else None}


NUMBER_RESULT = output_object({"result": number("Result")})
VALUES = array("Values", "A list of numbers, e.g. $.steps.list-helpers-1.result.")


def list_operation(key: str, title: str, description: str, run: Any, empty: str) -> Operation:
    return Operation(
        key=key,
        title=title,
        description=f"{description} {empty}",
        input_schema=input_object({"values": VALUES}, required=["values"]),
        output_schema=output_object(
            {"result": property_schema(["number", "null"], "Result", empty)}
        )
        if key != "sum"
        else NUMBER_RESULT,
        run=run,
        # Computes from its inputs only: safe to run again.
        repeatable=True,
    )


CALCULATE = Operation(
    key="calculate",
    title="Calculate",
    description="Add, subtract, multiply or divide two numbers, with decimal exactness.",
    input_schema=input_object(
        {
            "value1": number("Value 1"),
            "operator": choice("Operator", OPERATORS, default="add"),
            "value2": number("Value 2", "Divide: may not be 0."),
        },
        required=["value1", "operator", "value2"],
    ),
    output_schema=NUMBER_RESULT,
    run=run_calculate,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

ROUND = Operation(
    key="round",
    title="Round",
    description="Round a number to some decimal places, halves away from zero (2.5 is 3, -2.5 "
    "is -3).",
    input_schema=input_object(
        {
            "value": number("Value"),
            "places": integer(
                "Decimal places",
                "0 for a whole number; negative rounds to tens (-1), hundreds (-2)…",
                minimum=-15,
                maximum=15,
                default=0,
            ),
        },
        required=["value"],
    ),
    output_schema=NUMBER_RESULT,
    run=run_round,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

CONNECTOR = Connector(
    key="math_helpers",
    title="Math helpers",
    description="Compute with numbers between steps: arithmetic, rounding, sums and averages.",
    icon="icon.svg",
    version="1.0",
    operations=(
        CALCULATE,
        ROUND,
        list_operation(
            "sum", "Sum", "The total of a list of numbers.", run_sum, "0 for an empty list."
        ),
        list_operation(
            "average",
            "Average",
            "The mean of a list of numbers.",
            run_average,
            "null for an empty list.",
        ),
        list_operation(
            "minimum",
            "Minimum",
            "The smallest number of a list.",
            run_minimum,
            "null for an empty list.",
        ),
        list_operation(
            "maximum",
            "Maximum",
            "The largest number of a list.",
            run_maximum,
            "null for an empty list.",
        ),
    ),
)
