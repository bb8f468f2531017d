"""List helpers: exact results, errors naming the item at fault, and helpers chained through the
worker."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import InputError
from tests.connectors.harness import run_operation
from tests.helpers import all_step_runs, jsonpath, run_workflow, typed

ACCOUNTS = [
    {"name": "Acme", "health": "red", "arr": 1200, "owner": {"email": "ada@example.com"}},
    {"name": "Globex", "health": "green", "arr": 800},
    {"name": "Initech", "health": "red", "arr": 1200.5, "owner": {"email": "grace@example.com"}},
    {"name": "Umbrella", "health": "yellow"},
]


def run(operation: str, **inputs: Any) -> Any:
    return run_operation("list_helpers", operation, inputs)


def error(operation: str, **inputs: Any) -> str:
    with pytest.raises(InputError) as raised:
        run_operation("list_helpers", operation, inputs)
    return raised.value.message


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


@pytest.mark.exercises("list_helpers", "filter")
def test_filter_keeps_the_items_meeting_the_condition_in_order():
    red = run("filter", list=ACCOUNTS, path="health", comparison="===", value="red")
    assert red == {"result": [ACCOUNTS[0], ACCOUNTS[2]], "count": 2}

    owned = run("filter", list=ACCOUNTS, path="owner.email", comparison="is_not_empty")
    assert names(owned["result"]) == ["Acme", "Initech"]

    tagged = run("filter", list=[["a", "b"], ["c"], []], comparison="contains", value="c")
    assert tagged == {"result": [["c"]], "count": 1}

    # Strict: 1200 equals 1200.0 but not "1200".
    assert run("filter", list=[1200, 1200.0, "1200"], comparison="===", value=1200) == {
        "result": [1200, 1200.0],
        "count": 2,
    }


def test_filter_names_the_item_whose_value_cannot_be_compared():
    assert error("filter", list=ACCOUNTS, path="arr", comparison=">", value=1000) == (
        "'list[3]' at 'arr': '>' compares two numbers or two strings, not null and a number."
    )
    assert error("filter", list=[1, 2], comparison="<", value="3") == (
        "'list[0]': '<' compares two numbers or two strings, not a number and a string."
    )


def test_a_path_that_cannot_be_read_is_refused_naming_the_field():
    assert error("filter", list=[], path="owner..email", comparison="is_empty") == (
        "'path': 'owner..email' is not a path at character 7: write keys as account.owner, "
        'items as hits[0], and keys with dots as ["a.b"].'
    )


@pytest.mark.exercises("list_helpers", "find_first")
def test_find_first_returns_the_first_match_and_its_index():
    assert run("find_first", list=ACCOUNTS, path="arr", comparison=">=", value=1200) == {
        "found": True,
        "index": 0,
        "item": ACCOUNTS[0],
    }
    assert run("find_first", list=ACCOUNTS, path="health", comparison="===", value="blue") == {
        "found": False,
        "index": None,
        "item": None,
    }


@pytest.mark.exercises("list_helpers", "sort")
def test_sort_is_stable_and_puts_items_without_a_value_last():
    ascending = run("sort", list=ACCOUNTS, path="arr")["result"]
    descending = run("sort", list=ACCOUNTS, path="arr", direction="descending")["result"]

    assert names(ascending) == ["Globex", "Acme", "Initech", "Umbrella"]
    assert names(descending) == ["Initech", "Acme", "Globex", "Umbrella"]
    # Equal values keep their order, in both directions.
    assert names(run("sort", list=ACCOUNTS, path="health")["result"]) == [
        "Globex",
        "Acme",
        "Initech",
        "Umbrella",
    ]
    assert names(run("sort", list=ACCOUNTS, path="health", direction="descending")["result"]) == [
        "Umbrella",
        "Acme",
        "Initech",
        "Globex",
    ]
    assert run("sort", list=["b", "B", "a", "c"]) == {"result": ["B", "a", "b", "c"]}
    assert run("sort", list=[3, None, 1.5, 2]) == {"result": [1.5, 2, 3, None]}


def test_sort_by_values_of_two_kinds_names_both_items():
    assert error("sort", list=[{"v": 1}, {"v": 2}, {"v": "3"}], path="v") == (
        "'list[2]' at 'v' is a string, but 'list[0]' at 'v' is a number: sort by numbers or "
        "by strings, not both."
    )
    assert error("sort", list=[1, [2]]) == (
        "'list[1]': a list cannot be sorted by; sort by numbers or by strings."
    )


@pytest.mark.exercises("list_helpers", "unique")
def test_unique_keeps_the_first_item_of_each_value():
    assert run("unique", list=[1, 1.0, "1", True, None, None, [1], [1.0], {"a": 1}, {"a": 1}]) == {
        "result": [1, "1", True, None, [1], {"a": 1}]
    }
    assert names(run("unique", list=ACCOUNTS, path="health")["result"]) == [
        "Acme",
        "Globex",
        "Umbrella",
    ]


@pytest.mark.exercises("list_helpers", "chunk")
def test_chunk_cuts_the_list_into_lists_of_the_size():
    assert run("chunk", list=[1, 2, 3, 4, 5], size=2) == {"result": [[1, 2], [3, 4], [5]]}
    assert run("chunk", list=[], size=3) == {"result": []}
    assert (
        error("chunk", list=[1], size=0) == "Invalid input 'size': 0 is less than the minimum of 1"
    )


@pytest.mark.exercises("list_helpers", "flatten")
def test_flatten_opens_the_lists_inside_to_the_depth():
    nested = [[1, [2, [3]]], 4, []]

    assert run("flatten", list=nested) == {"result": [1, [2, [3]], 4]}
    assert run("flatten", list=nested, depth=2) == {"result": [1, 2, [3], 4]}
    assert run("flatten", list=nested, depth=100) == {"result": [1, 2, 3, 4]}


@pytest.mark.exercises("list_helpers", "pluck")
def test_pluck_reads_the_path_of_each_item_null_where_missing():
    assert run("pluck", list=ACCOUNTS, path="owner.email") == {
        "result": ["ada@example.com", None, "grace@example.com", None]
    }
    assert run("pluck", list=[["a", "b"], ["c"]], path="[-1]") == {"result": ["b", "c"]}


@pytest.mark.exercises("list_helpers", "count")
def test_count():
    assert run("count", list=ACCOUNTS) == {"count": 4}
    assert run("count", list=[]) == {"count": 0}


@pytest.mark.exercises("list_helpers", "slice")
def test_slice_takes_positions_from_the_start_or_the_end():
    items = ["a", "b", "c", "d", "e"]

    assert run("slice", list=items, start=1, end=3) == {"result": ["b", "c"]}
    assert run("slice", list=items, start=-2) == {"result": ["d", "e"]}
    assert run("slice", list=items, end=-1) == {"result": ["a", "b", "c", "d"]}
    assert run("slice", list=items, start=3, end=1) == {"result": []}
    assert run("slice", list=items, start=10) == {"result": []}
    assert run("slice", list=items, end=None) == {"result": items}


def test_a_list_input_that_is_not_a_list_is_refused_naming_the_field():
    assert error("count", list={"a": 1}) == "Invalid input 'list': {'a': 1} is not of type 'array'"


@pytest.mark.exercises("text_helpers", "concatenate")
def test_a_list_is_joined_into_text_by_text_helpers_concatenate():
    # List helpers has no join: Text helpers' Concatenate joins a list, an empty one too.
    def joined(values: list[Any]) -> str:
        inputs = {"values": values, "separator": ", "}
        return run_operation("text_helpers", "concatenate", inputs)["result"]

    assert joined(["Acme", 1200, None, {"a": 1}]) == 'Acme, 1200, , {"a": 1}'
    assert joined([]) == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.exercises("list_helpers", "filter")
@pytest.mark.exercises("list_helpers", "pluck")
@pytest.mark.exercises("math_helpers", "sum")
@pytest.mark.exercises("date_time_helpers", "add")
@pytest.mark.exercises("object_helpers", "set")
def test_helpers_chained_by_jsonpath_through_the_worker(api, celery_worker):
    # Given a workflow that totals the ARR of the red accounts and dates a review a month on
    def step(connector: str, operation: str, **properties: Any) -> dict[str, Any]:
        return {"connector": connector, "operation": operation, "properties": properties}

    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": name}
            for name in ("list-helpers-1", "list-helpers-2", "math-helpers-1", "date-1", "object-1")
        ],
        "steps": {
            "list-helpers-1": step(
                "list_helpers",
                "filter",
                list=jsonpath("$.steps.trigger.accounts"),
                path=typed("health"),
                comparison=typed("==="),
                value=typed("red"),
            ),
            "list-helpers-2": step(
                "list_helpers",
                "pluck",
                list=jsonpath("$.steps.list-helpers-1.result"),
                path=typed("arr"),
            ),
            "math-helpers-1": step(
                "math_helpers", "sum", values=jsonpath("$.steps.list-helpers-2.result")
            ),
            "date-1": step(
                "date_time_helpers",
                "add",
                date=jsonpath("$.steps.trigger.reviewed_at"),
                amount=typed(1),
                unit=typed("months"),
                timezone=typed("Europe/Berlin"),
            ),
            "object-1": step(
                "object_helpers",
                "set",
                data=typed({"kind": "review"}),
                path=typed("red.arr"),
                value=jsonpath("$.steps.math-helpers-1.result"),
            ),
        },
    }

    # When it runs through the worker
    run = run_workflow(
        api, definition, payload={"accounts": ACCOUNTS, "reviewed_at": "2026-01-31T09:00:00"}
    )

    # Then each helper read the one before it
    assert run["status"] == "succeeded", run
    outputs = [(step["path"], step["output"]) for step in all_step_runs(api, run["id"])][1:]
    assert outputs == [
        ("list-helpers-1", {"result": [ACCOUNTS[0], ACCOUNTS[2]], "count": 2}),
        ("list-helpers-2", {"result": [1200, 1200.5]}),
        ("math-helpers-1", {"result": 2400.5}),
        ("date-1", {"result": "2026-02-28T09:00:00+01:00"}),
        ("object-1", {"result": {"kind": "review", "red": {"arr": 2400.5}}}),
    ]
