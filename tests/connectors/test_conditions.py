"""Boolean condition and Branch: each comparison as a function, and the lanes through the worker."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.boolean import BOOLEAN_CONDITION
from connectors.branch import BRANCH
from connectors.comparisons import compare
from connectors.errors import InputError
from tests.connectors.harness import run_operation
from tests.helpers import all_step_runs, run_workflow, string


@pytest.mark.parametrize(
    ("value1", "comparison", "value2", "expected"),
    [
        ("red", "===", "red", True),
        (1, "===", 1.0, True),
        (1, "===", "1", False),
        (1, "===", True, False),
        ({"a": [1, 2]}, "===", {"a": [1, 2]}, True),
        ([1, True], "===", [1, 1], False),
        (None, "===", None, True),
        ("red", "!==", "green", True),
        (0, "!==", False, True),
        (3, ">", 2.5, True),
        ("2024-05-01", ">", "2024-04-30", True),
        (2, "<", 2, False),
        (2, ">=", 2, True),
        (2, "<=", 1, False),
        ("Quarterly review", "contains", "review", True),
        (["acc-1", "acc-2"], "contains", "acc-2", True),
        ([1, 2], "contains", "1", False),
        ({"Region": "EMEA"}, "contains", "Region", True),
        (None, "contains", "x", False),
        ("Quarterly review", "does_not_contain", "renewal", True),
        ("", "is_empty", None, True),
        ([], "is_empty", None, True),
        ({}, "is_empty", None, True),
        (None, "is_empty", None, True),
        (0, "is_empty", None, False),
        (" ", "is_not_empty", None, True),
        (False, "is_not_empty", None, True),
    ],
)
def test_comparison(value1, comparison, value2, expected):
    assert compare(value1, comparison, value2) is expected


@pytest.mark.parametrize(
    ("value1", "comparison", "value2", "message"),
    [
        ("10", ">", 9, "'>' compares two numbers or two strings, not a string and a number."),
        (True, "<=", 1, "'<=' compares two numbers or two strings, not a boolean and a number."),
        (
            "abc",
            "contains",
            1,
            "'contains' looks for a string in a string, an item in a list or a key in an "
            "object, not a number in a string.",
        ),
        (
            42,
            "does_not_contain",
            "4",
            "'does_not_contain' looks for a string in a string, an item in a list or a key in "
            "an object, not a string in a number.",
        ),
    ],
)
def test_comparison_of_values_that_cannot_be_compared_says_why(value1, comparison, value2, message):
    with pytest.raises(InputError) as raised:
        compare(value1, comparison, value2)

    assert raised.value.message == message


def condition(value1, comparison, value2=None) -> dict[str, Any]:
    found = {"value1": value1, "comparison": comparison}
    if value2 is not None:
        found["value2"] = value2
    return found


@pytest.mark.exercises("boolean", "boolean_condition")
def test_boolean_condition_all_needs_every_condition_any_needs_one():
    conditions = [condition(5, ">", 3), condition("red", "===", "green")]

    assert run_operation("boolean", "boolean_condition", {"conditions": conditions}) == {
        "result": False,
        "lane": "false",
    }
    assert run_operation(
        "boolean", "boolean_condition", {"conditions": conditions, "strictness": "Any"}
    ) == {"result": True, "lane": "true"}


def test_boolean_condition_names_the_condition_that_cannot_be_compared():
    conditions = [condition(1, "===", 1), condition("10", ">", 9)]

    with pytest.raises(InputError) as raised:
        run_operation("boolean", "boolean_condition", {"conditions": conditions})

    assert raised.value.message == (
        "Condition 2: '>' compares two numbers or two strings, not a string and a number."
    )


def test_boolean_condition_needs_value2_except_for_the_emptiness_tests():
    assert run_operation(
        "boolean", "boolean_condition", {"conditions": [condition("", "is_empty")]}
    ) == {"result": True, "lane": "true"}
    with pytest.raises(InputError) as raised:
        run_operation("boolean", "boolean_condition", {"conditions": [condition(1, "===")]})

    assert raised.value.message == "Invalid input 'value2' is required."


def test_condition_schemas_ask_for_their_row_editors_and_name_comparisons_in_words():
    boolean = BOOLEAN_CONDITION.input_schema["properties"]
    comparison = boolean["conditions"]["items"]["properties"]["comparison"]

    assert boolean["conditions"]["x-editor"] == "conditions"
    assert boolean["strictness"]["x-editor"] == "segmented"
    assert BRANCH.input_schema["properties"]["cases"]["x-editor"] == "cases"
    assert dict(zip(comparison["enum"], comparison["enumNames"], strict=True)) == {
        "===": "equals",
        "!==": "does not equal",
        ">": "is greater than",
        "<": "is less than",
        ">=": "is greater than or equal to",
        "<=": "is less than or equal to",
        "contains": "contains",
        "does_not_contain": "does not contain",
        "is_empty": "is empty",
        "is_not_empty": "is not empty",
    }
    # The comparisons whose row hides value 2 are those the schema lets go without it.
    assert comparison["x-unary"] == ["is_empty", "is_not_empty"]
    unary_in_schema = boolean["conditions"]["items"]["if"]["properties"]["comparison"]["enum"]
    assert unary_in_schema == comparison["x-unary"]


@pytest.mark.exercises("branch", "branch")
def test_branch_takes_the_lane_of_the_first_equal_case_or_the_default():
    cases = [
        {"lane": "red", "value": "red"},
        {"lane": "watch", "value": "yellow"},
        {"lane": "watch", "value": "orange"},
    ]

    assert run_operation("branch", "branch", {"value": "orange", "cases": cases}) == {
        "lane": "watch"
    }
    assert run_operation("branch", "branch", {"value": "green", "cases": cases}) == {
        "lane": "default"
    }
    assert run_operation(
        "branch", "branch", {"value": 1, "cases": [{"lane": "one", "value": "1"}]}
    ) == {"lane": "default"}


def note(text: str) -> dict[str, Any]:
    return {
        "connector": "text_helpers",
        "operation": "change_case",
        "properties": {"text": string(text), "case": string("upper")},
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.exercises("boolean", "boolean_condition")
@pytest.mark.exercises("branch", "branch")
@pytest.mark.exercises("text_helpers", "change_case")
def test_lanes_run_only_the_steps_of_the_lane_taken(api, celery_worker):
    # Given a Boolean condition and a Branch reading the trigger, a step in each lane
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {
                "name": "boolean-1",
                "type": "branch",
                "content": {"true": [{"name": "big"}], "false": [{"name": "small"}]},
            },
            {
                "name": "branch-1",
                "type": "branch",
                "content": {
                    "red": [{"name": "alert"}],
                    "green": [{"name": "calm"}],
                    "default": [{"name": "unknown"}],
                },
            },
        ],
        "steps": {
            "boolean-1": {
                "connector": "boolean",
                "operation": "boolean_condition",
                "properties": {
                    "conditions": {
                        "type": "array",
                        "value": [
                            {
                                "type": "object",
                                "value": {
                                    "value1": {"type": "jsonpath", "value": "$.steps.trigger.arr"},
                                    "comparison": string(">="),
                                    "value2": {"type": "integer", "value": 10000},
                                },
                            }
                        ],
                    },
                    "strictness": string("Any"),
                },
            },
            "big": note("big account"),
            "small": note("small account"),
            "branch-1": {
                "connector": "branch",
                "operation": "branch",
                "properties": {
                    "value": {"type": "jsonpath", "value": "$.steps.trigger.health"},
                    "cases": {
                        "type": "array",
                        "value": [
                            {"type": "object", "value": {"lane": string(c), "value": string(c)}}
                            for c in ("red", "green")
                        ],
                    },
                },
            },
            "alert": note("alert"),
            "calm": note("calm"),
            "unknown": note("unknown health"),
        },
    }

    red = run_workflow(api, definition, payload={"arr": 12000, "health": "red"})
    other = run_workflow(api, definition, payload={"arr": 500, "health": "purple"})

    # Then each run took one lane of each, and recorded which
    for run in (red, other):
        assert run["status"] == "succeeded", run
    assert [(s["path"], s["output"]) for s in all_step_runs(api, red["id"])][1:] == [
        ("boolean-1", {"result": True, "lane": "true"}),
        ("big", {"result": "BIG ACCOUNT"}),
        ("branch-1", {"lane": "red"}),
        ("alert", {"result": "ALERT"}),
    ]
    assert [(s["path"], s["output"]) for s in all_step_runs(api, other["id"])][1:] == [
        ("boolean-1", {"result": False, "lane": "false"}),
        ("small", {"result": "SMALL ACCOUNT"}),
        ("branch-1", {"lane": "default"}),
        ("unknown", {"result": "UNKNOWN HEALTH"}),
    ]
