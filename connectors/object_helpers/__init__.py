"""Object helpers: merge objects, pick or omit keys, get or set a value by path, read and write
JSON text, list keys, values and entries, without code. (Renaming fields is Data mapper's Map
fields.)

Paths are written as connectors/paths.py reads them: `account.owner`, `hits[0].name`,
`["key.with.dots"]`. Nothing is changed in place: each operation returns a new value.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.comparisons import kind_of
from connectors.errors import InputError
from connectors.paths import MISSING, check_path, parse_path, read_path, write_path
from connectors.schema import (
    any_value,
    array,
    boolean,
    input_object,
    integer,
    item,
    obj,
    output_object,
    string,
)
from connectors.sdk import Connector, Operation, OperationContext


def merged(base: dict[str, Any], addition: dict[str, Any], deep: bool) -> dict[str, Any]:
    result = dict(base)
    for key, value in addition.items():
        if deep and isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value, deep)
        else:
            result[key] = value
    return result


def run_merge(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for index, value in enumerate(inputs["objects"]):
        if not isinstance(value, dict):
            raise InputError(f"'objects[{index}]' is {kind_of(value)}, not an object.")
        result = merged(result, value, inputs.get("deep", False))
    return {"result": result}


def run_pick(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    source = inputs["object"]
    return {"result": {key: source[key] for key in inputs["keys"] if key in source}}


def run_omit(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    omitted = set(inputs["keys"])
    return {"result": {key: value for key, value in inputs["object"].items() if key not in omitted}}


def run_get(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    value = read_path(inputs["data"], parse_path(inputs["path"]))
    if value is MISSING:
        return {"result": inputs.get("default"), "found": False}
    return {"result": value, "found": True}


def run_set(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = parse_path(inputs["path"])
    return {"result": write_path(inputs["data"], parts, inputs.get("value"))}


def refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def run_json_parse(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    text = inputs["text"]
    limit = context.settings.max_response_bytes
    if len(text.encode()) > limit:
        raise InputError(
            f"'text' is larger than CONNECTOR_MAX_RESPONSE_BYTES ({limit} bytes), the most a "
            "step reads as JSON."
        )
    try:
        return {"result": json.loads(text, parse_constant=refuse_constant)}
    except json.JSONDecodeError as error:
        raise InputError(
            f"'text' is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except ValueError as error:
        raise InputError(f"'text' is not JSON: {error}.") from None
    except RecursionError:
        raise InputError("'text' is not JSON a step can hold: it is nested too deeply.") from None


def run_json_stringify(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    indent = inputs.get("indent", 0)
    text = json.dumps(
        inputs.get("value"),
        ensure_ascii=False,
        indent=indent or None,
        separators=None if indent else (",", ":"),
        sort_keys=inputs.get("sort_keys", False),
    )
    return {"result": text}


def run_keys(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": list(inputs["object"])}


def run_values(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": list(inputs["object"].values())}


def run_entries(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": [{"key": key, "value": value} for key, value in inputs["object"].items()]}


OBJECT = obj("Object", description="An object, e.g. $.steps.totango-1.account.")
KEYS = array("Keys", "Top-level keys, e.g. name and status.", items={"type": "string"})
PATH = string(
    "Path",
    'A key such as owner, or a path such as account.owner, hits[0].name or ["key.with.dots"].',
    min_length=1,
    max_length=500,
)
OBJECT_RESULT = output_object({"result": obj("Result")})


def object_operation(
    key: str,
    title: str,
    description: str,
    properties: dict[str, Any],
    required: list[str],
    run: Any,
    output_schema: dict[str, Any],
) -> Operation:
    return Operation(
        key=key,
        title=title,
        description=description,
        input_schema=input_object(properties, required=required),
        output_schema=output_schema,
        run=run,
        # Computes from its inputs only: safe to run again.
        repeatable=True,
        check_properties=check_path if "path" in properties else None,
    )


CONNECTOR = Connector(
    key="object_helpers",
    title="Object helpers",
    description="Work with objects between steps: merge, pick keys, get and set by path, "
    "JSON text.",
    icon="icon.svg",
    version="1.0",
    operations=(
        object_operation(
            "merge",
            "Merge objects",
            "One object with the keys of all; a key in a later object replaces an earlier one.",
            {
                "objects": array("Objects", "The objects, in order.", min_items=1),
                "deep": boolean(
                    "Deep",
                    "Merge objects inside too, key by key; lists and other values are replaced.",
                    default=False,
                ),
            },
            ["objects"],
            run_merge,
            OBJECT_RESULT,
        ),
        object_operation(
            "pick",
            "Pick keys",
            "An object with only the keys you name (those it has).",
            {"object": OBJECT, "keys": KEYS},
            ["object", "keys"],
            run_pick,
            OBJECT_RESULT,
        ),
        object_operation(
            "omit",
            "Omit keys",
            "An object without the keys you name.",
            {"object": OBJECT, "keys": KEYS},
            ["object", "keys"],
            run_omit,
            OBJECT_RESULT,
        ),
        object_operation(
            "get",
            "Get by path",
            "The value at a path in an object or a list, or a default when there is none.",
            {
                "data": any_value("Data", "An object or a list, e.g. $.steps.totango-1."),
                "path": PATH,
                "default": any_value(
                    "Default", "The result when the path leads nowhere; null if empty."
                ),
            },
            ["data", "path"],
            run_get,
            output_object(
                {
                    "result": any_value("Result"),
                    "found": boolean("Found", "Whether the path leads to a value."),
                }
            ),
        ),
        object_operation(
            "set",
            "Set by path",
            "A copy of an object or a list with a value at a path; missing keys on the way are "
            "created as objects, and a list index one past the end appends.",
            {
                "data": any_value("Data", "An object or a list, e.g. $.steps.totango-1.account."),
                "path": PATH,
                "value": any_value("Value", "null if empty."),
            },
            ["data", "path"],
            run_set,
            output_object({"result": any_value("Result")}),
        ),
        object_operation(
            "json_parse",
            "Parse JSON",
            "Read a value from JSON text, e.g. a body a vendor sent as a string.",
            {"text": string("Text", 'JSON, e.g. {"name": "Acme"}.', min_length=1)},
            ["text"],
            run_json_parse,
            output_object({"result": any_value("Result")}),
        ),
        object_operation(
            "json_stringify",
            "Write JSON",
            "Write a value as JSON text.",
            {
                "value": any_value("Value"),
                "indent": integer(
                    "Indent",
                    "Spaces per level; 0 writes it on one line with no spaces.",
                    minimum=0,
                    maximum=8,
                    default=0,
                ),
                "sort_keys": boolean("Sort keys", default=False),
            },
            [],
            run_json_stringify,
            output_object({"result": string("JSON")}),
        ),
        object_operation(
            "keys",
            "List keys",
            "The keys of an object, in order.",
            {"object": OBJECT},
            ["object"],
            run_keys,
            output_object({"result": array("Keys", items={"type": "string"})}),
        ),
        object_operation(
            "values",
            "List values",
            "The values of an object, in the order of its keys.",
            {"object": OBJECT},
            ["object"],
            run_values,
            output_object({"result": array("Values")}),
        ),
        object_operation(
            "entries",
            "List entries",
            "The key and value of each pair of an object, as a list to loop over.",
            {"object": OBJECT},
            ["object"],
            run_entries,
            output_object(
                {
                    "result": array(
                        "Entries",
                        items=item({"key": string("Key"), "value": any_value("Value")}),
                    )
                }
            ),
        ),
    ),
)
