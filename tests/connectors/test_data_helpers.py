"""Data mapper, Text helpers and Data storage: the functions, and their wiring through the worker."""

from __future__ import annotations

import pytest

from connectors.errors import InputError
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation
from tests.helpers import all_step_runs, run_workflow

HITS = [
    {
        "name": "acc-0001",
        "display_name": "Acme",
        "selected_fields": ["red", 1200],
        "account": {"owner": "ada@example.com"},
    },
    {"name": "acc-0002", "display_name": "Globex", "selected_fields": ["green"]},
]


@pytest.mark.exercises("data_mapper", "map_fields")
def test_map_fields_picks_and_renames_fields_of_each_object():
    output = run_operation(
        "data_mapper",
        "map_fields",
        {
            "data": HITS,
            "mappings": [
                {"from": "display_name", "to": "Account"},
                {"from": "selected_fields.0", "to": "Health"},
                {"from": "selected_fields.1", "to": "ARR", "default": 0},
                {"from": "account.owner", "to": "Owner"},
            ],
        },
    )

    assert output == {
        "result": [
            {"Account": "Acme", "Health": "red", "ARR": 1200, "Owner": "ada@example.com"},
            {"Account": "Globex", "Health": "green", "ARR": 0, "Owner": None},
        ]
    }


def test_map_fields_of_one_object_keeping_the_unmapped_ones():
    output = run_operation(
        "data_mapper",
        "map_fields",
        {
            "data": HITS[1],
            "mappings": [{"from": "display_name", "to": "title"}],
            "keep_unmapped": True,
        },
    )

    assert output == {
        "result": {"name": "acc-0002", "selected_fields": ["green"], "title": "Globex"}
    }


def test_map_fields_of_a_list_of_non_objects_says_so():
    with pytest.raises(InputError) as raised:
        run_operation(
            "data_mapper", "map_fields", {"data": ["a"], "mappings": [{"from": "x", "to": "y"}]}
        )

    assert raised.value.message == "Data must be an object or a list of objects, not str."


@pytest.mark.exercises("data_mapper", "map_values")
def test_map_values_translates_through_the_table_or_falls_back():
    mappings = [
        {"from": "red", "to": ":red_circle:"},
        {"from": "green", "to": ":large_green_circle:"},
    ]

    def mapped(value, **extra):
        inputs = {"value": value, "mappings": mappings, **extra}
        return run_operation("data_mapper", "map_values", inputs)["result"]

    assert mapped("red") == ":red_circle:"
    assert mapped("purple") == "purple"
    assert mapped("purple", default=":grey_question:") == ":grey_question:"


@pytest.mark.exercises("text_helpers", "concatenate")
def test_concatenate_writes_values_as_text():
    output = run_operation(
        "text_helpers",
        "concatenate",
        {"values": ["Acme", 1200, True, None, {"a": 1}], "separator": " | "},
    )

    assert output == {"result": 'Acme | 1200 | true |  | {"a": 1}'}


@pytest.mark.exercises("text_helpers", "split")
def test_split_cuts_at_the_separator_trimming_and_dropping_empty_parts():
    text = "red, green,, yellow "

    assert run_operation("text_helpers", "split", {"text": text}) == {
        "result": ["red", " green", "", " yellow "]
    }
    assert run_operation(
        "text_helpers", "split", {"text": text, "trim": True, "remove_empty": True}
    ) == {"result": ["red", "green", "yellow"]}
    assert run_operation("text_helpers", "split", {"text": "a::b", "separator": "::"}) == {
        "result": ["a", "b"]
    }


@pytest.mark.exercises("text_helpers", "change_case")
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("upper", "ACME HTTPCLIENT RENEWAL-DATE"),
        ("lower", "acme httpclient renewal-date"),
        ("title", "Acme Httpclient Renewal-date"),
        ("sentence", "Acme httpclient renewal-date"),
        ("camel", "acmeHttpClientRenewalDate"),
        ("snake", "acme_http_client_renewal_date"),
        ("kebab", "acme-http-client-renewal-date"),
    ],
)
def test_change_case(case, expected):
    output = run_operation(
        "text_helpers", "change_case", {"text": "acme HTTPClient renewal-Date", "case": case}
    )

    assert output == {"result": expected}


@pytest.mark.exercises("storage", "set_value")
@pytest.mark.exercises("storage", "get_value")
@pytest.mark.exercises("storage", "atomic_increment")
def test_data_storage_keeps_values_for_the_run_it_is_given():
    context = OperationContext(step_name="storage-1", settings=ClientSettings())

    def run(operation, **inputs):
        return run_operation("storage", operation, inputs, context)["value"]

    assert run("get_value", key="owners") is None
    assert run("get_value", key="owners", default=[]) == []
    assert run("set_value", key="owners", value=["ada"]) == ["ada"]
    assert run("get_value", key="owners") == ["ada"]
    assert [run("atomic_increment", key="red_count") for _ in range(3)] == [1, 2, 3]
    assert run("atomic_increment", key="arr", by=1.5) == 1.5
    assert context.run_storage == {"owners": ["ada"], "red_count": 3, "arr": 1.5}


def test_atomic_increment_of_a_value_that_is_not_a_number_says_so():
    context = OperationContext(step_name="storage-1", settings=ClientSettings())
    run_operation("storage", "set_value", {"key": "owner", "value": "ada"}, context)

    with pytest.raises(InputError) as raised:
        run_operation("storage", "atomic_increment", {"key": "owner"}, context)

    assert raised.value.message == "Key 'owner' holds a string, not a number to increment."


@pytest.mark.django_db(transaction=True)
@pytest.mark.exercises("data_mapper", "map_fields")
@pytest.mark.exercises("text_helpers", "split")
@pytest.mark.exercises("storage", "atomic_increment")
@pytest.mark.exercises("storage", "get_value")
def test_helpers_through_the_worker_and_storage_lasting_across_iterations(api, celery_worker):
    # Given a workflow mapping the trigger's accounts, then counting them one iteration at a time
    definition = {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [
            {"name": "split-1"},
            {"name": "map-1"},
            {
                "name": "loop-1",
                "type": "loop",
                "content": {"_loop": [{"name": "count-1"}]},
            },
            {"name": "total-1"},
        ],
        "steps": {
            "split-1": {
                "connector": "text_helpers",
                "operation": "split",
                "properties": {
                    "text": {"type": "jsonpath", "value": "$.steps.trigger.owners"},
                    "trim": {"type": "boolean", "value": True},
                },
            },
            "map-1": {
                "connector": "data_mapper",
                "operation": "map_fields",
                "properties": {
                    "data": {"type": "jsonpath", "value": "$.steps.trigger.accounts"},
                    "mappings": {
                        "type": "array",
                        "value": [
                            {
                                "type": "object",
                                "value": {
                                    "from": {"type": "string", "value": "display_name"},
                                    "to": {"type": "string", "value": "name"},
                                },
                            }
                        ],
                    },
                },
            },
            "loop-1": {
                "connector": "loop",
                "operation": "loop_list",
                "properties": {"list": {"type": "jsonpath", "value": "$.steps.map-1.result"}},
            },
            "count-1": {
                "connector": "storage",
                "operation": "atomic_increment",
                "properties": {"key": {"type": "string", "value": "accounts"}},
            },
            "total-1": {
                "connector": "storage",
                "operation": "get_value",
                "properties": {"key": {"type": "string", "value": "accounts"}},
            },
        },
    }

    run = run_workflow(api, definition, payload={"owners": "ada, grace", "accounts": HITS})

    assert run["status"] == "succeeded", run
    outputs = [(step["path"], step["output"]) for step in all_step_runs(api, run["id"])][1:]
    assert outputs == [
        ("split-1", {"result": ["ada", "grace"]}),
        ("map-1", {"result": [{"name": "Acme"}, {"name": "Globex"}]}),
        (
            "loop-1",
            {"count": 2, "iterations": 2, "continued_failures": 0},
        ),  # its sequence is taken when it starts
        ("loop-1[0].count-1", {"value": 1}),
        ("loop-1[1].count-1", {"value": 2}),
        ("total-1", {"value": 2}),
    ]
