"""Data mapper: reshape objects (rename and pick fields) and translate values, without code."""

from __future__ import annotations

from typing import Any

from connectors.comparisons import strictly_equal
from connectors.errors import InputError
from connectors.schema import (
    any_value,
    array,
    boolean,
    input_object,
    output_object,
    property_schema,
    string,
)
from connectors.sdk import Connector, Operation, OperationContext

_MISSING = object()


def read_path(item: Any, path: str) -> Any:
    """The value at a dotted path such as account.display_name or selected_fields.0."""
    value = item
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def map_object(item: Any, mappings: list[dict[str, Any]], keep_unmapped: bool) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"Data must be an object or a list of objects, not {type(item).__name__}.")
    result: dict[str, Any] = {}
    if keep_unmapped:
        moved = {mapping["from"] for mapping in mappings}
        result = {key: value for key, value in item.items() if key not in moved}
    for mapping in mappings:
        value = read_path(item, mapping["from"])
        result[mapping["to"]] = mapping.get("default") if value is _MISSING else value
    return result


def run_map_fields(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    data, mappings = inputs["data"], inputs["mappings"]
    keep_unmapped = inputs.get("keep_unmapped", False)
    if isinstance(data, list):
        mapped: Any = [map_object(item, mappings, keep_unmapped) for item in data]
    else:
        mapped = map_object(data, mappings, keep_unmapped)
    return {"result": mapped}


def run_map_values(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    for mapping in inputs["mappings"]:
        if strictly_equal(inputs["value"], mapping["from"]):
            return {"result": mapping["to"]}
    return {"result": inputs.get("default", inputs["value"])}


MAP_FIELDS = Operation(
    key="map_fields",
    title="Map fields",
    description="Build objects with the fields you name, read from an object or from each "
    "object of a list.",
    input_schema=input_object(
        {
            "data": property_schema(
                ["object", "array"],
                "Data",
                "An object, or a list of objects, e.g. $.steps.totango-1.hits.",
            ),
            "mappings": array(
                "Mappings",
                min_items=1,
                items=input_object(
                    {
                        "from": string(
                            "From",
                            "A field, or a dotted path such as account.display_name or "
                            "selected_fields.0.",
                            min_length=1,
                        ),
                        "to": string("To", "The name of the field in the result.", min_length=1),
                        "default": any_value(
                            "Default", "Used when the field is missing; null if empty."
                        ),
                    },
                    required=["from", "to"],
                ),
            ),
            "keep_unmapped": boolean(
                "Keep unmapped fields",
                "Also keep the fields no mapping reads from, unchanged.",
                default=False,
            ),
        },
        required=["data", "mappings"],
    ),
    output_schema=output_object(
        {
            "result": property_schema(
                ["object", "array"],
                "Result",
                "An object, or a list of objects in the data's order.",
            )
        }
    ),
    run=run_map_fields,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

MAP_VALUES = Operation(
    key="map_values",
    title="Map values",
    description="Translate a value through a table, e.g. red → :red_circle:.",
    input_schema=input_object(
        {
            "value": any_value("Value", "The value to translate."),
            "mappings": array(
                "Mappings",
                items=input_object(
                    {
                        "from": any_value("From", "Same type, same value."),
                        "to": any_value("To"),
                    },
                    required=["from", "to"],
                ),
            ),
            "default": any_value(
                "Default", "The result when no mapping matches; the value itself if empty."
            ),
        },
        required=["value", "mappings"],
    ),
    output_schema=output_object({"result": any_value("Result")}),
    run=run_map_values,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

CONNECTOR = Connector(
    key="data_mapper",
    title="Data mapper",
    description="Reshape data between steps: pick and rename fields, translate values.",
    icon="icon.svg",
    version="1.0",
    operations=(MAP_FIELDS, MAP_VALUES),
)
