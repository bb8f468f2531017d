"""Math helpers: exact decimal results, and the errors that name the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import InputError
from tests.connectors.harness import run_operation


def result(operation: str, **inputs: Any) -> Any:
    return run_operation("math_helpers", operation, inputs)["result"]


def error(operation: str, **inputs: Any) -> str:
    with pytest.raises(InputError) as raised:
        run_operation("math_helpers", operation, inputs)
    return raised.value.message


@pytest.mark.exercises("math_helpers", "calculate")
@pytest.mark.parametrize(
    ("value1", "operator", "value2", "expected"),
    [
        (0.1, "add", 0.2, 0.3),  # not 0.30000000000000004
        (0.3, "subtract", 0.1, 0.2),
        (1.1, "multiply", 3, 3.3),
        (2.5, "multiply", 2, 5),  # a whole result is an integer
        (7, "divide", 2, 3.5),
        (1, "divide", 3, 0.3333333333333333),
        (-6, "divide", 3, -2),
        (1200, "add", 800, 2000),
        (2**53, "add", 1, 9007199254740992.0),  # past 2**53 a whole number is a float
    ],
)
def test_calculate(value1, operator, value2, expected):
    output = result("calculate", value1=value1, operator=operator, value2=value2)

    assert output == expected
    assert type(output) is type(expected)


def test_dividing_by_zero_names_the_field():
    assert error("calculate", value1=1, operator="divide", value2=0) == (
        "'value2' is 0: a number cannot be divided by zero."
    )
    assert error("calculate", value1=1, operator="divide", value2=0.0) == (
        "'value2' is 0: a number cannot be divided by zero."
    )


def test_a_result_too_large_for_json_is_refused():
    assert error("calculate", value1=1e308, operator="multiply", value2=10) == (
        "The product is too large for a JSON number (over 1.8e308)."
    )


def test_calculate_takes_numbers_only():
    assert error("calculate", value1="1", operator="add", value2=2) == (
        "Invalid input 'value1': '1' is not of type 'number'"
    )


@pytest.mark.exercises("math_helpers", "round")
@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (2.5, 0, 3),  # halves away from zero
        (-2.5, 0, -3),
        (3.5, 0, 4),
        (2.675, 2, 2.68),  # the decimal 2.675, not the float 2.67499999…
        (1.005, 2, 1.01),
        (2.4, 0, 2),
        (1234.5678, 1, 1234.6),
        (1250, -2, 1300),
        (-1250, -2, -1300),
        (0.1, 15, 0.1),
        (7, 3, 7),
    ],
)
def test_round(value, places, expected):
    output = result("round", value=value, places=places)

    assert output == expected
    assert type(output) is type(expected)


def test_round_to_whole_numbers_by_default():
    assert result("round", value=9.5) == 10


@pytest.mark.exercises("math_helpers", "sum")
@pytest.mark.exercises("math_helpers", "average")
@pytest.mark.exercises("math_helpers", "minimum")
@pytest.mark.exercises("math_helpers", "maximum")
def test_sum_average_minimum_and_maximum_of_a_list():
    values = [1200, 0.1, 0.2, -50, 3.5]

    assert result("sum", values=values) == 1153.8
    assert result("average", values=values) == 230.76
    assert result("minimum", values=values) == -50
    assert result("maximum", values=values) == 1200
    assert result("average", values=[1, 2]) == 1.5
    assert result("average", values=[1, 2, 3]) == 2
    assert result("sum", values=[0.1] * 10) == 1


def test_an_empty_list_sums_to_zero_and_has_no_average_minimum_or_maximum():
    assert result("sum", values=[]) == 0
    assert result("average", values=[]) is None
    assert result("minimum", values=[]) is None
    assert result("maximum", values=[]) is None


@pytest.mark.parametrize("operation", ["sum", "average", "minimum", "maximum"])
def test_a_list_item_that_is_not_a_number_is_named_by_its_index(operation):
    assert error(operation, values=[1, 2, "3"]) == "'values[2]' is a string, not a number."
    assert error(operation, values=[True]) == "'values[0]' is a boolean, not a number."
    assert error(operation, values=[1, None]) == "'values[1]' is null, not a number."
