"""Typed property values through the API: a wrong shape is refused naming its field; jsonpaths
with wildcards, slices and descendants read a list when a run resolves them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import all_step_runs, jsonpath, run_workflow, string

pytestmark = pytest.mark.django_db


def keeping(**values: dict[str, Any]) -> dict[str, Any]:
    """A workflow with one Data storage step per value, each keeping what its value resolves to."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": name, "type": "normal"} for name in values],
        "steps": {
            name: {
                "connector": "storage",
                "operation": "set_value",
                "properties": {"key": string(name), "value": value},
            }
            for name, value in values.items()
        },
    }


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("abc", "", 'must be a typed value such as {"type": "string", "value": "…"}'),
        ({"value": "abc"}, "", 'must be a typed value such as {"type": "string", "value": "…"}'),
        (
            {"type": "date", "value": "2024-01-01"},
            ".type",
            "type 'date' is not one of string, number, integer, boolean, object, array, null, "
            "jsonpath",
        ),
        ({"type": "string", "value": "x", "format": "email"}, ".format", "unexpected key 'format'"),
        (
            {"type": "string", "value": "x", "fallback": string("y")},
            ".fallback",
            "unexpected key 'fallback'",
        ),
        ({"type": "null", "value": 0}, ".value", "a null value must have no value or null"),
        ({"type": "integer"}, ".value", "value is missing"),
        ({"type": "integer", "value": 1.5}, ".value", "must be a whole number"),
        ({"type": "integer", "value": True}, ".value", "must be a whole number"),
        ({"type": "number", "value": "1"}, ".value", "must be a number"),
        ({"type": "number", "value": False}, ".value", "must be a number"),
        ({"type": "boolean", "value": 1}, ".value", "must be true or false"),
        ({"type": "string", "value": 7}, ".value", "must be a string"),
        ({"type": "object", "value": []}, ".value", "must be an object of typed values"),
        (
            {"type": "object", "value": {"tier": {"type": "integer", "value": "1"}}},
            ".value.tier.value",
            "must be a whole number",
        ),
        ({"type": "array", "value": {}}, ".value", "must be an array of typed values"),
        (
            {"type": "array", "value": [string("ok"), {"type": "boolean"}]},
            ".value.1.value",
            "value is missing",
        ),
        (
            {"type": "array", "value": [{"type": "object", "value": {"a": "bare"}}]},
            ".value.0.value.a",
            'must be a typed value such as {"type": "string", "value": "…"}',
        ),
        (
            jsonpath("$.steps.trigger.a", {"type": "number", "value": "x"}),
            ".fallback.value",
            "must be a number",
        ),
        (
            jsonpath("$.steps.trigger.a", jsonpath("$.steps.trigger.b", {"type": "kind"})),
            ".fallback.fallback.type",
            "type 'kind' is not one of string, number, integer, boolean, object, array, null, "
            "jsonpath",
        ),
        (
            {"type": "jsonpath", "value": "steps.trigger.a"},
            ".value",
            "'steps.trigger.a' is not a jsonpath: it must start with $.",
        ),
        (
            {"type": "jsonpath", "value": ["$.steps.trigger.a"]},
            ".value",
            "['$.steps.trigger.a'] is not a jsonpath: it must start with $.",
        ),
    ],
)
def test_a_typed_value_of_the_wrong_shape_is_a_problem_naming_its_field(api, value, field, message):
    response = api.post(
        "/api/workflows/", {"name": "Broken", "definition": keeping(keep=value)}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["problems"] == [
        {"path": f"steps.keep.properties.value{field}", "message": message}
    ]


PAYLOAD = {
    "account": {"name": "Acme", "tier": "Gold"},
    "contacts": [{"name": "Ada"}, {"name": "Bob"}, {"name": "Cy"}],
    "owners": [{"name": "Dee"}],
}


@pytest.mark.django_db(transaction=True)
def test_wildcards_and_slices_read_every_match_as_a_list(api, celery_worker):
    definition = keeping(
        every=jsonpath("$.steps.trigger.contacts[*].name"),
        one_match=jsonpath("$.steps.trigger.owners[*].name"),
        members=jsonpath("$.steps.trigger.account.*"),
        slice=jsonpath("$.steps.trigger.contacts[1:3].name"),
        descendants=jsonpath("$.steps.trigger..name"),
        none_falls_back=jsonpath("$.steps.trigger.partners[*].name", string("no partners")),
        interpolated=string("Contacts: {$.steps.trigger.contacts[*].name}"),
    )

    run = run_workflow(api, definition, payload=PAYLOAD)

    assert run["status"] == "succeeded", run
    outputs = {step["path"]: step["output"] for step in all_step_runs(api, run["id"])}
    assert outputs == {
        "trigger": PAYLOAD,
        "every": {"value": ["Ada", "Bob", "Cy"]},
        # A path that can match several values gives a list, even when one matched.
        "one_match": {"value": ["Dee"]},
        "members": {"value": ["Acme", "Gold"]},
        "slice": {"value": ["Bob", "Cy"]},
        # In the order the payload is stored (jsonb puts shorter keys first: owners, account…)
        "descendants": {"value": ["Dee", "Acme", "Ada", "Bob", "Cy"]},
        "none_falls_back": {"value": "no partners"},
        "interpolated": {"value": 'Contacts: ["Ada", "Bob", "Cy"]'},
    }


@pytest.mark.django_db(transaction=True)
def test_a_wildcard_that_matches_nothing_fails_the_step_naming_the_path(api, celery_worker):
    definition = keeping(partners=jsonpath("$.steps.trigger.partners[*].name"))

    run = run_workflow(api, definition, payload=PAYLOAD)

    assert run["status"] == "failed"
    assert run["failed_step"] == "partners"
    assert run["error"] == "$.steps.trigger.partners[*].name in property 'value' did not resolve"
