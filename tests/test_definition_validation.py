"""Saving a workflow keeps a draft with the path of each problem; structural nonsense is refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.helpers import (
    all_step_runs,
    create_workflow,
    run_workflow,
    slack_authentication,
    totango_authentication,
    walkthrough_definition,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def definition(api, fake_totango, fake_slack) -> dict[str, Any]:
    return walkthrough_definition(
        totango_auth=totango_authentication(api, fake_totango),
        slack_auth=slack_authentication(api, fake_slack),
    )


def save_errors(api, definition: dict[str, Any]) -> list[dict[str, str]]:
    response = api.post(
        "/api/workflows/", {"name": "Broken", "definition": definition}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["detail"] == "The workflow definition is invalid."
    return response.json()["errors"]


def draft_problems(api, definition: dict[str, Any]) -> list[dict[str, str]]:
    """Saves the definition as a draft: kept as sent, its problems in the answer and on read."""
    response = api.post(
        "/api/workflows/", {"name": "Draft", "definition": definition}, format="json"
    )
    assert response.status_code == 201, response.json()
    saved = response.json()
    assert saved["definition"] == definition
    assert api.get(f"/api/workflows/{saved['id']}/").json()["problems"] == saved["problems"]
    return saved["problems"]


def test_valid_walkthrough_definition_is_saved_as_version_1(api, definition):
    workflow = create_workflow(api, definition)

    assert workflow["version"] == 1
    assert workflow["definition"] == definition
    assert workflow["problems"] == []


def test_unknown_connector_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["connector"] = "slak"

    assert draft_problems(api, definition) == [
        {"path": "steps.slack-1.connector", "message": "unknown connector 'slak'"}
    ]


def test_unknown_operation_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["operation"] = "send_email"

    assert draft_problems(api, definition) == [
        {"path": "steps.slack-1.operation", "message": "Slack has no operation 'send_email'"}
    ]


def test_property_the_operation_does_not_take_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["properties"]["colour"] = {"type": "string", "value": "red"}

    assert draft_problems(api, definition) == [
        {
            "path": "steps.slack-1.properties.colour",
            "message": "Send message does not take a property 'colour'",
        }
    ]


def test_missing_required_property_is_a_problem(api, definition):
    del definition["steps"]["slack-1"]["properties"]["channel"]

    assert draft_problems(api, definition) == [
        {"path": "steps.slack-1.properties.channel", "message": "Channel is required"}
    ]


def test_malformed_jsonpath_is_a_problem(api, definition):
    definition["steps"]["loop-1"]["properties"]["list"]["value"] = "$.steps.totango-1.[["

    errors = draft_problems(api, definition)

    assert [error["path"] for error in errors] == ["steps.loop-1.properties.list.value"]
    assert errors[0]["message"].startswith("'$.steps.totango-1.[[' is not a valid jsonpath")


def test_malformed_interpolation_in_a_string_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["properties"]["text"]["value"] = "Hi {$.steps.loop-1.[[}"

    errors = draft_problems(api, definition)

    assert [error["path"] for error in errors] == ["steps.slack-1.properties.text.value"]


def test_reference_to_a_step_that_runs_later_is_a_problem(api, definition):
    definition["steps"]["totango-1"]["properties"]["query"] = {
        "type": "jsonpath",
        "value": "$.steps.slack-1.ts",
    }

    assert draft_problems(api, definition) == [
        {
            "path": "steps.totango-1.properties.query",
            "message": "$.steps.slack-1.ts in property 'query' refers to step 'slack-1', "
            "which does not run before this step",
        }
    ]


def test_reading_a_loops_item_after_the_loop_is_a_problem_naming_what_can_be_read(api, definition):
    definition["steps_structure"].append({"name": "slack-2", "type": "normal"})
    definition["steps"]["slack-2"] = copy.deepcopy(definition["steps"]["slack-1"])

    errors = draft_problems(api, definition)

    assert [error["path"] for error in errors] == ["steps.slack-2.properties.text"]
    assert errors[0]["message"].endswith(
        "reads 'value' of loop 'loop-1' after it ended: there only count, iterations, "
        "continued_failures can be read"
    )


def test_reading_a_loop_before_it_runs_is_a_problem(api, definition):
    definition["steps"]["totango-1"]["properties"]["query"] = {
        "type": "jsonpath",
        "value": "$.steps.loop-1.count",
    }

    errors = draft_problems(api, definition)

    assert errors == [
        {
            "path": "steps.totango-1.properties.query",
            "message": "$.steps.loop-1.count in property 'query' refers to step 'loop-1', "
            "which does not run before this step",
        }
    ]


def test_duplicate_step_name_is_refused(api, definition):
    definition["steps_structure"].append({"name": "totango-1", "type": "normal"})

    assert save_errors(api, definition) == [
        {"path": "steps_structure.2.name", "message": "duplicate step name 'totango-1'"}
    ]


def test_literal_value_outside_the_enum_is_a_problem(api, definition):
    definition["steps"]["totango-1"]["properties"]["data_type"]["value"] = "account"

    errors = draft_problems(api, definition)

    assert [error["path"] for error in errors] == ["steps.totango-1.properties.data_type"]
    assert "'account' is not one of ['accounts', 'users']" in errors[0]["message"]


def test_wrongly_typed_value_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["properties"]["channel"] = {"type": "string", "value": 42}

    assert draft_problems(api, definition) == [
        {"path": "steps.slack-1.properties.channel.value", "message": "must be a string"}
    ]


def test_step_missing_from_structure_is_refused(api, definition):
    definition["steps"]["slack-2"] = copy.deepcopy(definition["steps"]["slack-1"])

    assert save_errors(api, definition) == [
        {"path": "steps.slack-2", "message": "step 'slack-2' is not placed in steps_structure"}
    ]


def test_authentication_of_another_connector_is_a_problem(api, definition):
    definition["steps"]["slack-1"]["authentication"] = definition["steps"]["totango-1"][
        "authentication"
    ]

    assert draft_problems(api, definition) == [
        {
            "path": "steps.slack-1.authentication",
            "message": "authentication 'totango auth' is for totango, not Slack",
        }
    ]


def test_every_error_is_reported_at_once(api, definition):
    definition["steps"]["slack-1"]["operation"] = "nope"
    definition["steps"]["loop-1"]["properties"] = {}

    paths = [error["path"] for error in draft_problems(api, definition)]

    assert paths == ["steps.loop-1.properties.list", "steps.slack-1.operation"]


def test_update_on_a_stale_version_is_refused_and_loses_nothing(api, definition):
    workflow = create_workflow(api, definition)
    url = f"/api/workflows/{workflow['id']}/"
    first = api.patch(url, {"name": "Renamed by Ada", "version": 1}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == 2

    stale = api.patch(url, {"name": "Renamed by Bob", "version": 1}, format="json")

    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert api.get(url).json()["name"] == "Renamed by Ada"


def test_update_without_a_version_is_refused(api, definition):
    workflow = create_workflow(api, definition)

    response = api.patch(f"/api/workflows/{workflow['id']}/", {"name": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "version"


def branch_definition(content: dict[str, Any]) -> dict[str, Any]:
    case = {
        "type": "object",
        "value": {
            "lane": {"type": "string", "value": "red"},
            "value": {"type": "string", "value": "red"},
        },
    }
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "branch-1", "type": "branch", "content": content}],
        "steps": {
            "branch-1": {
                "connector": "branch",
                "operation": "branch",
                "properties": {
                    "value": {"type": "jsonpath", "value": "$.steps.trigger.health"},
                    "cases": {"type": "array", "value": [case]},
                },
            }
        },
    }


def test_branch_lane_that_no_case_names_is_a_problem(api):
    errors = draft_problems(api, branch_definition({"red": [], "default": [], "blue": []}))

    assert errors == [
        {
            "path": "steps_structure.0.content.blue",
            "message": "Branch has the lanes red, default, not 'blue': its steps would never run",
        }
    ]


def test_boolean_condition_has_only_true_and_false_lanes(api):
    definition = branch_definition({})
    definition["steps"]["branch-1"] = {
        "connector": "boolean",
        "operation": "boolean_condition",
        "properties": {
            "conditions": {
                "type": "array",
                "value": [
                    {
                        "type": "object",
                        "value": {
                            "value1": {"type": "jsonpath", "value": "$.steps.trigger.health"},
                            "comparison": {"type": "string", "value": "==="},
                            "value2": {"type": "string", "value": "red"},
                        },
                    }
                ],
            }
        },
    }
    definition["steps_structure"][0]["content"] = {"true": [], "maybe": []}

    errors = draft_problems(api, definition)

    assert [error["path"] for error in errors] == ["steps_structure.0.content.maybe"]


def test_step_name_longer_than_100_characters_is_refused(api, definition):
    long_name = "slack-" + "x" * 100
    definition["steps"][long_name] = definition["steps"].pop("totango-1")
    definition["steps_structure"][0]["name"] = long_name

    errors = save_errors(api, definition)

    assert errors[0]["path"] == "steps_structure.0.name"
    assert "is not a valid step name (up to 100 letters" in errors[0]["message"]


def test_a_connector_that_is_not_a_string_is_a_problem_naming_the_field(api, definition):
    definition["steps"]["slack-1"]["connector"] = {"key": "slack"}

    assert draft_problems(api, definition) == [
        {"path": "steps.slack-1.connector", "message": "unknown connector {'key': 'slack'}"}
    ]


def storage_step_reading(path: str) -> dict[str, Any]:
    """A workflow whose one step keeps what `path` finds, so its output shows it."""
    return {
        "trigger": {"connector": "manual", "operation": "manual", "properties": {}},
        "steps_structure": [{"name": "keep", "type": "normal"}],
        "steps": {
            "keep": {
                "connector": "storage",
                "operation": "set_value",
                "properties": {
                    "key": {"type": "string", "value": "found"},
                    "value": {"type": "jsonpath", "value": path},
                },
            }
        },
    }


@pytest.mark.django_db(transaction=True)
def test_descendant_jsonpath_finds_every_match_below_the_step(api, celery_worker):
    payload = {"account": {"name": "Acme"}, "contacts": [{"name": "Ada"}, {"name": "Bob"}]}

    run = run_workflow(api, storage_step_reading("$.steps.trigger..name"), payload=payload)

    assert run["status"] == "succeeded", run
    assert all_step_runs(api, run["id"])[-1]["output"] == {"value": ["Acme", "Ada", "Bob"]}


def test_descendant_jsonpath_that_names_no_step_says_it_must_read_from_one(api):
    assert draft_problems(api, storage_step_reading("$..name")) == [
        {
            "path": "steps.keep.properties.value",
            "message": "$..name must read from a step, as in $.steps.<step name>.…",
        }
    ]


SUPPORTED = (
    "which is not supported: a jsonpath here starts at $ and goes down with .name, ['name'], "
    "[n], [a:b], * and .. (descendants)."
)


@pytest.mark.parametrize(
    ("path", "construct"),
    [
        ("$.steps.trigger.`parent`", "`parent`"),
        ("$.steps.trigger.`this`", "`this`"),
        ("$.steps.trigger.a where b", "where"),
        ("$.steps.trigger.a | $.steps.trigger.b", "| (union)"),
        ("$.steps.trigger.a.$.steps.later", "a $ after the start of the path"),
    ],
)
def test_jsonpath_construct_the_engine_does_not_run_is_a_problem_naming_it(api, path, construct):
    assert draft_problems(api, storage_step_reading(path)) == [
        {
            "path": "steps.keep.properties.value.value",
            "message": f"{path!r} uses {construct}, {SUPPORTED}",
        }
    ]


def test_unsupported_jsonpath_in_an_interpolation_is_a_problem(api):
    definition = storage_step_reading("$.steps.trigger.a")
    definition["steps"]["keep"]["properties"]["value"] = {
        "type": "string",
        "value": "Hello {$.steps.trigger.`parent`}",
    }

    assert draft_problems(api, definition) == [
        {
            "path": "steps.keep.properties.value.value",
            "message": f"'$.steps.trigger.`parent`' uses `parent`, {SUPPORTED}",
        }
    ]


def test_a_jsonpath_with_an_index_too_long_to_read_is_a_problem_naming_the_field(api):
    # Python reads at most 4300 digits into an integer; the path is the user's mistake.
    path = "$.steps.trigger.items[" + "9" * 5000 + "]"

    assert draft_problems(api, storage_step_reading(path)) == [
        {
            "path": "steps.keep.properties.value.value",
            "message": f"{path!r} is not a valid jsonpath: a number in it has too many digits.",
        }
    ]
