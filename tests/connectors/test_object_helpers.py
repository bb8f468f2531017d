"""Object helpers: exact results, paths, JSON text, and the errors that name the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.errors import InputError
from connectors.sdk import ClientSettings, OperationContext
from tests.connectors.harness import run_operation
from tests.helpers import create_workflow, jsonpath, single_step_definition, string

ACCOUNT = {
    "name": "Acme",
    "status": "active",
    "owner": {"email": "ada@example.com", "teams": ["cs", "sales"]},
    "hits": [{"name": "acc-0001"}, {"name": "acc-0002"}],
    "a.b": "dotted",
}


def run(operation: str, **inputs: Any) -> Any:
    return run_operation("object_helpers", operation, inputs)


def error(operation: str, **inputs: Any) -> str:
    with pytest.raises(InputError) as raised:
        run_operation("object_helpers", operation, inputs)
    return raised.value.message


@pytest.mark.exercises("object_helpers", "merge")
def test_merge_later_objects_win_shallow_or_deep():
    base = {"name": "Acme", "owner": {"email": "ada@example.com", "teams": ["cs"]}}
    change = {"status": "active", "owner": {"phone": "+49 30 1234", "teams": ["sales"]}}

    assert run("merge", objects=[base, change]) == {
        "result": {
            "name": "Acme",
            "owner": {"phone": "+49 30 1234", "teams": ["sales"]},
            "status": "active",
        }
    }
    assert run("merge", objects=[base, change], deep=True) == {
        "result": {
            "name": "Acme",
            "owner": {"email": "ada@example.com", "teams": ["sales"], "phone": "+49 30 1234"},
            "status": "active",
        }
    }
    assert base == {"name": "Acme", "owner": {"email": "ada@example.com", "teams": ["cs"]}}


def test_merge_names_the_item_that_is_not_an_object():
    assert error("merge", objects=[{"a": 1}, ["b"]]) == "'objects[1]' is a list, not an object."


@pytest.mark.exercises("object_helpers", "pick")
@pytest.mark.exercises("object_helpers", "omit")
def test_pick_and_omit_keys():
    assert run("pick", object=ACCOUNT, keys=["status", "name", "missing"]) == {
        "result": {"status": "active", "name": "Acme"}
    }
    assert run("omit", object=ACCOUNT, keys=["owner", "hits", "a.b", "missing"]) == {
        "result": {"name": "Acme", "status": "active"}
    }


@pytest.mark.exercises("object_helpers", "get")
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("name", "Acme"),
        ("owner.email", "ada@example.com"),
        ("owner.teams[1]", "sales"),
        ("owner.teams.0", "cs"),
        ("owner.teams[-1]", "sales"),
        ("hits[1].name", "acc-0002"),
        ('["a.b"]', "dotted"),
        ("['owner'][\"email\"]", "ada@example.com"),
        ("owner", {"email": "ada@example.com", "teams": ["cs", "sales"]}),
    ],
)
def test_get_by_path(path, expected):
    assert run("get", data=ACCOUNT, path=path) == {"result": expected, "found": True}


def test_get_by_a_path_leading_nowhere_gives_the_default():
    assert run("get", data=ACCOUNT, path="hits[2].name") == {"result": None, "found": False}
    assert run("get", data=ACCOUNT, path="name.first", default="?") == {
        "result": "?",
        "found": False,
    }
    assert run("get", data=[10, 20], path="[1]") == {"result": 20, "found": True}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "owner..email",
            "'path': 'owner..email' is not a path at character 7: write keys as account.owner, "
            'items as hits[0], and keys with dots as ["a.b"].',
        ),
        (
            "hits[0]name",
            "'path': 'hits[0]name' is not a path at character 8: a key or an index must be "
            "followed by '.' or '['.",
        ),
        (
            'owner["email]',
            "'path': 'owner[\"email]' is not a path at character 6: write keys as account.owner, "
            'items as hits[0], and keys with dots as ["a.b"].',
        ),
    ],
)
def test_a_malformed_path_is_refused_naming_the_field(path, message):
    assert error("get", data=ACCOUNT, path=path) == message


@pytest.mark.django_db
def test_a_typed_path_that_cannot_be_read_is_a_problem_of_the_saved_draft(api):
    workflow = create_workflow(
        api,
        single_step_definition(
            "object_helpers",
            "get",
            {"data": jsonpath("$.steps.trigger"), "path": string("owner..email")},
        ),
    )

    assert workflow["problems"] == [
        {
            "path": "steps.object_helpers-1.properties.path",
            "message": "'owner..email' is not a path at character 7: write keys as "
            'account.owner, items as hits[0], and keys with dots as ["a.b"]',
        }
    ]


@pytest.mark.exercises("object_helpers", "set")
def test_set_by_path_returns_a_copy_with_the_value():
    data = {"owner": {"teams": ["cs"]}}

    assert run("set", data=data, path="owner.teams[0]", value="success") == {
        "result": {"owner": {"teams": ["success"]}}
    }
    assert run("set", data=data, path="owner.teams[1]", value="sales") == {
        "result": {"owner": {"teams": ["cs", "sales"]}}
    }
    assert run("set", data=data, path="renewal.date", value="2026-03-31") == {
        "result": {"owner": {"teams": ["cs"]}, "renewal": {"date": "2026-03-31"}}
    }
    assert run("set", data=data, path='["a.b"]') == {
        "result": {"owner": {"teams": ["cs"]}, "a.b": None}
    }
    assert data == {"owner": {"teams": ["cs"]}}


def test_set_by_a_path_it_cannot_follow_says_where():
    data = {"owner": {"teams": ["cs"]}, "name": "Acme"}

    assert error("set", data=data, path="owner.teams[3]", value=1) == (
        "'path': index 3 is past the end of a list of 1 items."
    )
    assert error("set", data=data, path="name.first", value=1) == (
        "'path': cannot go into a string at 'first'."
    )
    assert error("set", data=data, path="owner.teams.lead", value=1) == (
        "'path': 'lead' names a key, but the value there is a list."
    )


@pytest.mark.exercises("object_helpers", "json_parse")
def test_json_parse_reads_any_json_value():
    assert run("json_parse", text='{"name": "Acme", "arr": [1200, 0.5, null, true]}') == {
        "result": {"name": "Acme", "arr": [1200, 0.5, None, True]}
    }
    assert run("json_parse", text=' "text" ') == {"result": "text"}


def test_json_parse_of_text_that_is_not_json_says_where():
    assert error("json_parse", text='{"name": "Acme",\n "arr": }') == (
        "'text' is not JSON: Expecting value at line 2, column 9."
    )
    assert error("json_parse", text="[NaN]") == "'text' is not JSON: NaN is not a JSON number."
    assert error("json_parse", text="[" * 100_000 + "]" * 100_000) == (
        "'text' is not JSON a step can hold: it is nested too deeply."
    )


def test_json_parse_of_text_larger_than_the_response_limit_names_the_setting():
    context = OperationContext(step_name="object-1", settings=ClientSettings(max_response_bytes=10))

    with pytest.raises(InputError) as raised:
        run_operation("object_helpers", "json_parse", {"text": '["0123456789"]'}, context)

    assert raised.value.message == (
        "'text' is larger than CONNECTOR_MAX_RESPONSE_BYTES (10 bytes), the most a step reads "
        "as JSON."
    )


@pytest.mark.exercises("object_helpers", "json_stringify")
def test_json_stringify_writes_compact_or_indented_json():
    value = {"name": "Zürich AG", "arr": [1200, 0.5], "ok": True, "none": None}

    assert run("json_stringify", value=value) == {
        "result": '{"name":"Zürich AG","arr":[1200,0.5],"ok":true,"none":null}'
    }
    assert run("json_stringify", value={"b": 1, "a": [1]}, indent=2, sort_keys=True) == {
        "result": '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'
    }
    assert run("json_stringify") == {"result": "null"}


@pytest.mark.exercises("object_helpers", "keys")
@pytest.mark.exercises("object_helpers", "values")
@pytest.mark.exercises("object_helpers", "entries")
def test_keys_values_and_entries_keep_the_objects_order():
    value = {"red": 2, "green": 5, "yellow": None}

    assert run("keys", object=value) == {"result": ["red", "green", "yellow"]}
    assert run("values", object=value) == {"result": [2, 5, None]}
    assert run("entries", object=value) == {
        "result": [
            {"key": "red", "value": 2},
            {"key": "green", "value": 5},
            {"key": "yellow", "value": None},
        ]
    }
    assert run("keys", object={}) == {"result": []}


def test_an_object_input_that_is_not_an_object_is_refused_naming_the_field():
    assert error("keys", object=["a"]) == "Invalid input 'object': ['a'] is not of type 'object'"
