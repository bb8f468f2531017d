"""Typed property values: the shapes a definition may hold, and what each resolves to in a run."""

from __future__ import annotations

from typing import Any

import pytest

from builder.engine.properties import (
    MAX_SEARCH_PATH_PARTS,
    PROPERTY_TYPES,
    JsonPathValue,
    LiteralValue,
    PropertyShapeError,
    UnresolvedPath,
    compile_value,
)
from tests.helpers import jsonpath, string, typed

SCOPE: dict[str, Any] = {
    "steps": {
        "trigger": {
            "account": {"name": "Acme", "arr": 12000, "tags": ["gold", "emea"], "owner": None},
            "contacts": [{"name": "Ada"}, {"name": "Bob"}, {"name": "Cy"}],
        }
    }
}
SUPPORTED = (
    "which is not supported: a jsonpath here starts at $ and goes down with .name, ['name'], "
    "[n], [a:b], * and .. (descendants)."
)


def resolved(value: dict[str, Any]) -> Any:
    return compile_value(value).resolve(SCOPE)


def shape_error(value: Any) -> tuple[str, str]:
    with pytest.raises(PropertyShapeError) as raised:
        compile_value(value)
    return raised.value.path, str(raised.value)


# --- What each type resolves to ---


def test_the_property_types_are_those_a_definition_may_name():
    assert PROPERTY_TYPES == (
        "string",
        "number",
        "integer",
        "boolean",
        "object",
        "array",
        "null",
        "jsonpath",
    )


@pytest.mark.parametrize(
    "value",
    ["plain text", 0, -7, 2.5, True, False, None, [1, "two", [3.0]], {"a": {"b": [True]}}],
)
def test_a_literal_resolves_to_itself(value):
    compiled = compile_value(typed(value))

    assert compiled == LiteralValue(value)
    assert compiled.references == ()
    assert compiled.resolve(SCOPE) == value


def test_a_null_may_leave_out_its_value_or_give_null():
    assert compile_value({"type": "null"}) == LiteralValue(None)
    assert compile_value({"type": "null", "value": None}) == LiteralValue(None)


def test_a_jsonpath_resolves_to_what_it_finds():
    assert resolved(jsonpath("$.steps.trigger.account.name")) == "Acme"
    assert resolved(jsonpath("$.steps.trigger.account.tags[1]")) == "emea"
    assert resolved(jsonpath("$.steps.trigger['account']['arr']")) == 12000


def test_a_jsonpath_that_finds_null_gives_null_not_its_fallback():
    assert resolved(jsonpath("$.steps.trigger.account.owner", fallback=string("nobody"))) is None


def test_a_jsonpath_that_can_match_several_values_gives_a_list_of_them():
    assert resolved(jsonpath("$.steps.trigger.contacts[*].name")) == ["Ada", "Bob", "Cy"]
    assert resolved(jsonpath("$.steps.trigger..name")) == ["Acme", "Ada", "Bob", "Cy"]
    assert resolved(jsonpath("$.steps.trigger.contacts[1:2].name")) == ["Bob"]
    assert resolved(jsonpath("$.steps.trigger.account['name','arr']")) == ["Acme", 12000]
    assert resolved(jsonpath("$.steps.trigger.account.tags[0,1]")) == ["gold", "emea"]


@pytest.mark.parametrize(
    "path",
    [
        "$.steps.trigger.account.region",  # a key the object lacks
        "$.steps.trigger.account.tags[5]",  # past the end of a list
        "$.steps.trigger.account.name.first",  # down into a string
        "$.steps.trigger.account.arr[0]",  # an index into a number
        "$.steps.later.value",  # a step with no output yet
        "$.steps.trigger.contacts[*].email",  # a wildcard that matches nothing
    ],
)
def test_a_jsonpath_that_finds_nothing_is_unresolved_naming_the_path(path):
    with pytest.raises(UnresolvedPath) as raised:
        resolved(jsonpath(path))

    assert raised.value.expression == path


def test_a_fallback_stands_in_for_a_path_that_finds_nothing():
    assert resolved(jsonpath("$.steps.trigger.account.region", fallback=string("EMEA"))) == "EMEA"
    assert resolved(jsonpath("$.steps.trigger.region", fallback=typed([1, 2]))) == [1, 2]
    assert resolved(jsonpath("$.steps.trigger.region", fallback={"type": "null"})) is None


def test_a_fallback_may_itself_be_a_jsonpath_with_a_fallback():
    chain = jsonpath(
        "$.steps.trigger.region",
        fallback=jsonpath(
            "$.steps.trigger.country", fallback=string("{$.steps.trigger.account.name} HQ")
        ),
    )

    assert resolved(chain) == "Acme HQ"
    assert [reference.text for reference in compile_value(chain).references] == [
        "$.steps.trigger.region",
        "$.steps.trigger.country",
        "$.steps.trigger.account.name",
    ]


def test_a_fallback_that_finds_nothing_is_unresolved_naming_its_own_path():
    with pytest.raises(UnresolvedPath) as raised:
        resolved(jsonpath("$.steps.trigger.region", fallback=jsonpath("$.steps.trigger.country")))

    assert raised.value.expression == "$.steps.trigger.country"


def test_interpolation_puts_what_each_path_finds_into_the_text():
    text = string("{$.steps.trigger.account.name} pays {$.steps.trigger.account.arr} a year")

    assert resolved(text) == "Acme pays 12000 a year"


def test_interpolation_writes_lists_and_objects_as_json_and_null_as_nothing():
    assert resolved(string("Tags: {$.steps.trigger.account.tags}")) == 'Tags: ["gold", "emea"]'
    assert resolved(string("{$.steps.trigger.contacts[0]}")) == '{"name": "Ada"}'
    assert resolved(string("Owner: [{$.steps.trigger.account.owner}]")) == "Owner: []"


def test_interpolation_keeps_non_ascii_characters_as_they_are():
    scope = {"steps": {"trigger": {"city": "Zürich", "list": ["Łódź"]}}}

    assert (
        compile_value(string("{$.steps.trigger.city} {$.steps.trigger.list}")).resolve(scope)
        == 'Zürich ["Łódź"]'
    )


def test_a_string_without_a_path_in_braces_is_a_literal():
    assert compile_value(string("{not a path} and {}")) == LiteralValue("{not a path} and {}")


def test_interpolation_of_a_path_that_finds_nothing_is_unresolved():
    with pytest.raises(UnresolvedPath) as raised:
        resolved(string("Hello {$.steps.trigger.account.region}!"))

    assert raised.value.expression == "$.steps.trigger.account.region"


def test_an_object_or_array_with_a_path_inside_resolves_each_member():
    value = {
        "type": "object",
        "value": {
            "name": jsonpath("$.steps.trigger.account.name"),
            "labels": {
                "type": "array",
                "value": [string("{$.steps.trigger.account.tags[0]}!"), typed(3)],
            },
        },
    }

    assert resolved(value) == {"name": "Acme", "labels": ["gold!", 3]}
    assert [reference.text for reference in compile_value(value).references] == [
        "$.steps.trigger.account.name",
        "$.steps.trigger.account.tags[0]",
    ]


def test_a_reference_names_the_step_it_reads_from():
    def step_name(path: str) -> str | None:
        [reference] = compile_value(jsonpath(path)).references
        return reference.step_name

    assert step_name("$.steps.totango-1.hits[0].name") == "totango-1"
    assert step_name("$.steps['loop-1'].value") == "loop-1"
    assert step_name("$.steps.totango-1.hits[*].name") == "totango-1"
    assert step_name("$.steps.trigger..name") == "trigger"
    assert step_name("$.steps") is None
    assert step_name("$..name") is None
    assert step_name("$.steps[0].name") is None
    assert step_name("$.steps.*.name") is None


def test_a_jsonpath_is_compiled_once_with_its_fallback():
    compiled = compile_value(jsonpath("$.steps.trigger.a", fallback=typed(1)))

    assert isinstance(compiled, JsonPathValue)
    assert compiled.expression.keys == ("steps", "trigger", "a")
    assert compiled.fallback == LiteralValue(1)


# --- Shapes refused when a definition is saved (path relative to the typed value) ---


@pytest.mark.parametrize("value", ["text", 3, None, ["string"], {"value": "no type"}])
def test_a_value_that_is_not_typed_is_refused(value):
    assert shape_error(value) == (
        "",
        'must be a typed value such as {"type": "string", "value": "…"}',
    )


@pytest.mark.parametrize("kind", ["text", "", None, ["string"], {"name": "string"}])
def test_an_unknown_type_is_refused_listing_the_types(kind):
    assert shape_error({"type": kind, "value": "x"}) == (
        "type",
        f"type {kind!r} is not one of string, number, integer, boolean, object, array, null, "
        "jsonpath",
    )


def test_a_key_other_than_type_and_value_is_refused_naming_it():
    assert shape_error({"type": "string", "value": "x", "values": "y", "label": "z"}) == (
        "label",
        "unexpected key 'label'",
    )


def test_only_a_jsonpath_may_have_a_fallback():
    assert shape_error({"type": "string", "value": "x", "fallback": string("y")}) == (
        "fallback",
        "unexpected key 'fallback'",
    )


@pytest.mark.parametrize(
    "kind", ["string", "number", "integer", "boolean", "object", "array", "jsonpath"]
)
def test_a_value_is_required_except_for_null(kind):
    assert shape_error({"type": kind}) == ("value", "value is missing")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "null", "value": 0}, "a null value must have no value or null"),
        ({"type": "null", "value": ""}, "a null value must have no value or null"),
        ({"type": "string", "value": 42}, "must be a string"),
        ({"type": "string", "value": None}, "must be a string"),
        ({"type": "boolean", "value": "true"}, "must be true or false"),
        ({"type": "boolean", "value": 1}, "must be true or false"),
        ({"type": "integer", "value": 2.0}, "must be a whole number"),
        ({"type": "integer", "value": True}, "must be a whole number"),
        ({"type": "integer", "value": "3"}, "must be a whole number"),
        ({"type": "number", "value": "2.5"}, "must be a number"),
        ({"type": "number", "value": False}, "must be a number"),
        ({"type": "object", "value": [1]}, "must be an object of typed values"),
        ({"type": "array", "value": {"a": 1}}, "must be an array of typed values"),
    ],
)
def test_a_value_of_the_wrong_kind_for_its_type_is_refused(value, message):
    assert shape_error(value) == ("value", message)


def test_a_bad_member_of_an_object_is_refused_at_its_path():
    value = {
        "type": "object",
        "value": {
            "ok": typed(1),
            "inner": {"type": "array", "value": [typed(1), {"type": "integer", "value": "x"}]},
        },
    }

    assert shape_error(value) == ("value.inner.value.1.value", "must be a whole number")


def test_a_member_that_is_not_typed_is_refused_at_its_path():
    assert shape_error({"type": "array", "value": [typed(1), 2]}) == (
        "value.1",
        'must be a typed value such as {"type": "string", "value": "…"}',
    )


def test_a_bad_fallback_is_refused_at_its_path():
    value = jsonpath(
        "$.steps.trigger.a", fallback={"type": "object", "value": {"b": {"type": "date"}}}
    )

    assert shape_error(value) == (
        "fallback.value.b.type",
        "type 'date' is not one of string, number, integer, boolean, object, array, null, jsonpath",
    )


@pytest.mark.parametrize("path", ["steps.trigger.a", "@.a", "", 42, None])
def test_a_jsonpath_must_start_at_the_root(path):
    assert shape_error({"type": "jsonpath", "value": path}) == (
        "value",
        f"{path!r} is not a jsonpath: it must start with $.",
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("$.steps.trigger.[[", "Parse error at 1:17 near token [ ([)"),
        ("$.steps.trigger.", "Parse error near the end of string!"),
        ("$.steps.'trigger", "Unexpected EOF in string literal or identifier"),
        ("$.steps[?(@.a)]", "Error on line 1, col 8: Unexpected character: ? "),
        ("$.steps.`len`", "Unknown named operator `len` at 1:12"),
    ],
)
def test_a_jsonpath_that_does_not_parse_is_refused_with_the_parsers_reason(path, reason):
    assert shape_error(jsonpath(path)) == ("value", f"{path!r} is not a valid jsonpath: {reason}")


def test_a_jsonpath_with_an_index_too_long_to_read_is_refused_as_invalid():
    # Python refuses to read an integer of more than 4300 digits: a user's path, not a crash.
    path = "$.steps.trigger.items[" + "9" * 5000 + "]"

    assert shape_error(jsonpath(path)) == (
        "value",
        f"{path!r} is not a valid jsonpath: a number in it has too many digits.",
    )


def test_a_searching_jsonpath_with_too_many_parts_is_refused_rather_than_crash_a_run():
    # jsonpath-ng walks such a path recursively: a thousand parts exhaust Python's recursion
    path = "$.steps.trigger" + ".b" * 1000 + "[*]"

    assert shape_error(jsonpath(path)) == (
        "value",
        f"{path!r} has 1003 parts; a jsonpath with *, .., slices or lists may have at most "
        f"{MAX_SEARCH_PATH_PARTS}.",
    )


def test_a_searching_jsonpath_at_the_part_limit_finds_its_matches():
    path = "$.steps.trigger" + ".b" * (MAX_SEARCH_PATH_PARTS - 3) + "[*]"
    nested: Any = [1, 2]
    for _ in range(MAX_SEARCH_PATH_PARTS - 3):
        nested = {"b": nested}

    compiled = compile_value(jsonpath(path))

    assert compiled.resolve({"steps": {"trigger": nested}}) == [1, 2]


@pytest.mark.parametrize(
    ("path", "construct"),
    [
        ("$.steps.trigger.`parent`", "`parent`"),
        ("$.steps.trigger.`this`", "`this`"),
        ("$.steps.trigger.a where b", "where"),
        ("$.steps.trigger.a wherenot b", "wherenot"),
        ("$.steps.trigger.a | $.steps.trigger.b", "| (union)"),
        ("$.steps.trigger.a & $.steps.trigger.b", "& (intersection)"),
        ("$ | $", "| (union)"),
        ("$.steps.trigger.a.$.steps.later", "a $ after the start of the path"),
        ("$.steps.trigger.(a.b)", "parentheses"),
        ("$.steps.trigger..(a.b)", "parentheses"),
    ],
)
@pytest.mark.filterwarnings("ignore:The `[|&]` .* operator is deprecated:DeprecationWarning")
def test_a_jsonpath_construct_the_engine_does_not_run_is_refused_naming_it(path, construct):
    assert shape_error(jsonpath(path)) == ("value", f"{path!r} uses {construct}, {SUPPORTED}")


def test_a_bad_path_inside_an_interpolation_is_refused_at_the_strings_value():
    assert shape_error(string("Hi {$.steps.trigger.`this`}")) == (
        "value",
        f"'$.steps.trigger.`this`' uses `this`, {SUPPORTED}",
    )
