"""The connector catalogue as served, and the registry walked: schemas, words, icons, test coverage."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft202012Validator

from connectors.registry import all_connectors
from connectors.sdk import OperationKind

CATALOGUE = {
    "manual": ["manual"],
    "schedule": ["schedule"],
    "webhook": ["webhook", "webhook_response"],
    "callable": ["callable", "callable_response"],
    "alert": ["alert"],
    "loop": ["loop_list", "loop_object", "break_loop", "continue_loop"],
    "boolean": ["boolean_condition"],
    "branch": ["branch"],
    "data_mapper": ["map_fields", "map_values"],
    "text_helpers": ["concatenate", "split", "change_case"],
    "date_time_helpers": [
        "now",
        "format_date",
        "parse_date",
        "add",
        "subtract",
        "difference",
        "start_of",
        "end_of",
    ],
    "math_helpers": ["calculate", "round", "sum", "average", "minimum", "maximum"],
    "list_helpers": [
        "filter",
        "find_first",
        "sort",
        "unique",
        "chunk",
        "flatten",
        "pluck",
        "count",
        "slice",
    ],
    "object_helpers": [
        "merge",
        "pick",
        "omit",
        "get",
        "set",
        "json_parse",
        "json_stringify",
        "keys",
        "values",
        "entries",
    ],
    "script": ["execute_script"],
    "storage": ["set_value", "get_value", "atomic_increment"],
    "delay": ["delay"],
    "terminate": ["terminate"],
    "call_workflow": ["call_workflow"],
    "http": ["http_request"],
    "totango": [
        "search_data_raw",
        "create_touchpoint",
        "update_touchpoint",
        "list_touchpoints",
        "get_account",
        "list_activity_types",
        "list_touchpoint_types",
        "list_touchpoint_tags",
        "raw_http_request",
    ],
    "slack": ["send_message", "list_conversations", "get_user_by_email", "raw_http_request"],
}
# Words that keep their capitals inside a sentence-case title.
PROPER_WORDS = {"HTTP", "ID", "JSON", "URL", "Totango", "Slack", "&"}


@pytest.fixture
def catalogue(api):
    response = api.get("/api/connectors/")
    assert response.status_code == 200
    return response.json()


def every_schema(catalogue):
    for connector in catalogue:
        if connector["authentication"]:
            yield f"{connector['key']} authentication", connector["authentication"]["fields_schema"]
        for operation in connector["operations"]:
            name = f"{connector['key']}.{operation['key']}"
            yield f"{name} input", operation["input_schema"]
            yield f"{name} output", operation["output_schema"]


def test_catalogue_lists_every_connector_and_operation(catalogue):
    assert {c["key"]: [o["key"] for o in c["operations"]] for c in catalogue} == CATALOGUE


def test_every_schema_is_valid_json_schema(catalogue):
    schemas = list(every_schema(catalogue))

    for name, schema in schemas:
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:  # the name of the bad schema, not only the error
            pytest.fail(f"{name}: {error}")
    authentications = sum(1 for connector in catalogue if connector["authentication"])
    assert len(schemas) == 2 * sum(len(ops) for ops in CATALOGUE.values()) + authentications


def test_every_input_property_has_a_title(catalogue):
    untitled = [
        f"{connector['key']}.{operation['key']}.{name}"
        for connector in catalogue
        for operation in connector["operations"]
        for name, schema in operation["input_schema"].get("properties", {}).items()
        if not schema.get("title")
    ]

    assert untitled == []


def test_every_connector_and_operation_has_a_sentence_case_title_and_a_description(catalogue):
    for connector in catalogue:
        entries = [connector, *connector["operations"]]
        for entry in entries:
            title, description = entry["title"], entry["description"]
            assert description.strip(), f"{entry['key']} has no description"
            first, *rest = title.split(" ")
            assert first[0].isupper(), title
            assert all(word in PROPER_WORDS or word.islower() for word in rest), (
                f"{title!r} is not in sentence case"
            )


def test_every_icon_is_a_24_pixel_svg_served_to_anyone(client, catalogue):
    for connector in catalogue:
        response = client.get(connector["icon_url"])

        assert response.status_code == 200, connector["key"]
        assert response["Content-Type"] == "image/svg+xml"
        svg = ElementTree.fromstring(response.content)
        assert svg.tag == "{http://www.w3.org/2000/svg}svg", connector["key"]
        assert svg.get("viewBox") == "0 0 24 24", connector["key"]


# Connectors whose credential checks calls to us rather than being sent anywhere.
INBOUND = {"webhook"}


def test_secret_fields_are_write_only_and_service_connectors_have_raw_http_and_a_base_url():
    for connector in all_connectors().values():
        spec = connector.authentication
        if spec is None:
            continue
        assert spec.secret_fields, connector.key
        if connector.key in INBOUND:
            continue
        assert "base_url" in spec.fields_schema["properties"], connector.key
        if not spec.optional:  # a service connector, not the HTTP client
            assert connector.operation("raw_http_request") is not None, connector.key


def test_branch_operations_declare_their_lanes(catalogue):
    lanes = {
        f"{c['key']}.{o['key']}": (o["fixed_lanes"], o["dynamic_lanes"])
        for c in catalogue
        for o in c["operations"]
        if o["kind"] == OperationKind.BRANCH
    }

    assert lanes == {
        "boolean.boolean_condition": (["true", "false"], False),
        "branch.branch": (["default"], True),
    }


def declared_exercises() -> dict[tuple[str, str], list[str]]:
    """Every `pytest.mark.exercises(connector, operation)` written in this folder's tests."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.exercises":
                connector, operation = (ast.literal_eval(argument) for argument in node.args)
                found.setdefault((connector, operation), []).append(path.name)
    return found


def test_every_operation_is_exercised_by_a_test():
    # A test marked `exercises` fails unless the operation really ran (see conftest.py), so
    # each pair found here is a test that ran it successfully.
    registry = {
        (connector.key, operation.key)
        for connector in all_connectors().values()
        for operation in connector.operations
    }
    declared = declared_exercises()

    assert sorted(registry - set(declared)) == []
    assert sorted(set(declared) - registry) == []


def test_the_exercises_marker_is_found_where_it_is_written():
    # Guards the scan above against a rename of the marker or a change of spelling.
    source = Path(__file__).with_name("test_totango.py").read_text()
    written = len(re.findall(r"pytest\.mark\.exercises\(", source))

    assert written == sum(names.count("test_totango.py") for names in declared_exercises().values())
    assert written >= 9
