"""List helpers: filter, sort, unique, chunk, flatten, find first, pluck, count and slice a list,
without code. (Joining a list into text is Text helpers' Concatenate.)

An item's value is read at a path (connectors/paths.py: `account.owner`, `tags[0]`); an empty
path is the item itself. Conditions compare as Boolean condition does (connectors/comparisons.py):
strictly, 1 equals 1.0 but not "1"; a value two items cannot be compared by fails the step naming
the item.
"""

from __future__ import annotations

from typing import Any

from connectors.comparisons import (
    COMPARISON_TITLES,
    COMPARISONS,
    UNARY_COMPARISONS,
    compare,
    is_number,
    kind_of,
)
from connectors.errors import InputError
from connectors.paths import MISSING, Part, check_path, parse_path, read_path
from connectors.schema import (
    any_value,
    array,
    choice,
    input_object,
    integer,
    output_object,
    property_schema,
    string,
)
from connectors.sdk import Connector, Operation, OperationContext

DIRECTIONS = {"ascending": "Ascending (A → Z, 1 → 9)", "descending": "Descending (Z → A, 9 → 1)"}


def item_path(inputs: dict[str, Any]) -> list[Part]:
    return parse_path(inputs.get("path", ""), "path")


def value_at(item: Any, parts: list[Part]) -> Any:
    value = read_path(item, parts)
    return None if value is MISSING else value


def where(index: int, inputs: dict[str, Any]) -> str:
    path = inputs.get("path", "")
    return f"'list[{index}]'" + (f" at {path!r}" if path else "")


def matches(index: int, item: Any, parts: list[Part], inputs: dict[str, Any]) -> bool:
    try:
        return compare(value_at(item, parts), inputs["comparison"], inputs.get("value"))
    except InputError as error:
        raise InputError(f"{where(index, inputs)}: {error.message}") from None


def run_filter(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = item_path(inputs)
    kept = [
        item for index, item in enumerate(inputs["list"]) if matches(index, item, parts, inputs)
    ]
    return {"result": kept, "count": len(kept)}


def run_find_first(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = item_path(inputs)
    for index, item in enumerate(inputs["list"]):
        if matches(index, item, parts, inputs):
            return {"found": True, "index": index, "item": item}
    return {"found": False, "index": None, "item": None}


def run_sort(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = item_path(inputs)
    keyed: list[tuple[Any, Any]] = []
    unkeyed: list[Any] = []
    first_of_kind: dict[str, int] = {}
    for index, item in enumerate(inputs["list"]):
        key = value_at(item, parts)
        if key is None:
            unkeyed.append(item)
            continue
        if not (is_number(key) or isinstance(key, str)):
            raise InputError(
                f"{where(index, inputs)}: {kind_of(key)} cannot be sorted by; sort by numbers "
                "or by strings."
            )
        kind = kind_of(key)
        first_of_kind.setdefault(kind, index)
        if len(first_of_kind) > 1:
            other = next(name for name in first_of_kind if name != kind)
            raise InputError(
                f"{where(index, inputs)} is {kind}, but {where(first_of_kind[other], inputs)} is "
                f"{other}: sort by numbers or by strings, not both."
            )
        keyed.append((key, item))
    # Python's sort is stable, descending too: equal items keep their order either way.
    keyed.sort(key=lambda pair: pair[0], reverse=inputs.get("direction") == "descending")
    return {"result": [item for _, item in keyed] + unkeyed}


def identity(value: Any) -> Any:
    """A hashable stand-in equal for values strictly_equal calls equal (1 and 1.0), and apart
    for those it keeps apart (1, "1" and true)."""
    if isinstance(value, bool):
        return ("boolean", value)
    if is_number(value):
        return ("number", value)
    if isinstance(value, list):
        return ("list", tuple(identity(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((key, identity(item)) for key, item in value.items()))
    return (kind_of(value), value)


def run_unique(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = item_path(inputs)
    seen: set[Any] = set()
    kept = []
    for item in inputs["list"]:
        key = identity(value_at(item, parts))
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return {"result": kept}


def run_chunk(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    items, size = inputs["list"], inputs["size"]
    return {"result": [items[start : start + size] for start in range(0, len(items), size)]}


def flattened(items: list[Any], depth: int) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if isinstance(item, list) and depth > 0:
            result.extend(flattened(item, depth - 1))
        else:
            result.append(item)
    return result


def run_flatten(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": flattened(inputs["list"], inputs.get("depth", 1))}


def run_pluck(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = item_path(inputs)
    return {"result": [value_at(item, parts) for item in inputs["list"]]}


def run_count(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"count": len(inputs["list"])}


def run_slice(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": inputs["list"][inputs.get("start", 0) : inputs.get("end")]}


LIST = array("List", "A list, e.g. $.steps.totango-1.hits.")
PATH = string(
    "Path",
    "Where each item's value is: a key such as health, or a path such as account.owner or "
    'tags[0] (a key with a dot: ["a.b"]). Empty: the item itself.',
    max_length=500,
)
CONDITION = {
    "comparison": choice(
        "Comparison", dict(zip(COMPARISONS, COMPARISON_TITLES, strict=True)), default="==="
    )
    | {"x-unary": sorted(UNARY_COMPARISONS)},
    "value": any_value("Value", "Compared with each item's value; null when empty."),
}
LIST_RESULT = output_object({"result": array("Result")})


def list_operation(
    key: str,
    title: str,
    description: str,
    properties: dict[str, Any],
    run: Any,
    output_schema: dict[str, Any] = LIST_RESULT,
    required: tuple[str, ...] = (),
) -> Operation:
    return Operation(
        key=key,
        title=title,
        description=description,
        input_schema=input_object({"list": LIST} | properties, required=["list", *required]),
        output_schema=output_schema,
        run=run,
        # Computes from its inputs only: safe to run again.
        repeatable=True,
        check_properties=check_path if "path" in properties else None,
    )


CONNECTOR = Connector(
    key="list_helpers",
    title="List helpers",
    description="Work with lists between steps: filter, sort, deduplicate, split in chunks, "
    "find, pick values.",
    icon="icon.svg",
    version="1.0",
    operations=(
        list_operation(
            "filter",
            "Filter list",
            "Keep the items whose value meets a condition, in their order.",
            {"path": PATH} | CONDITION,
            run_filter,
            output_object(
                {"result": array("Items kept"), "count": integer("Number of items kept")}
            ),
            required=("comparison",),
        ),
        list_operation(
            "find_first",
            "Find first",
            "The first item whose value meets a condition.",
            {"path": PATH} | CONDITION,
            run_find_first,
            output_object(
                {
                    "found": property_schema("boolean", "Found", None),
                    "index": property_schema(
                        ["integer", "null"], "Index", "From 0; null when none is found."
                    ),
                    "item": any_value("Item", "null when none is found."),
                }
            ),
            required=("comparison",),
        ),
        list_operation(
            "sort",
            "Sort list",
            "Order the items by their value, numbers or strings; equal ones keep their order "
            "and items without a value go last.",
            {"path": PATH, "direction": choice("Direction", DIRECTIONS, default="ascending")},
            run_sort,
        ),
        list_operation(
            "unique",
            "Remove duplicates",
            'Keep the first item of each value (1 and 1.0 are the same value, 1 and "1" are not).',
            {"path": PATH},
            run_unique,
        ),
        list_operation(
            "chunk",
            "Split in chunks",
            "Cut a list into lists of a size (the last may be shorter), e.g. to send in batches.",
            {"size": integer("Chunk size", "Items in each chunk.", minimum=1, default=100)},
            run_chunk,
            required=("size",),
        ),
        list_operation(
            "flatten",
            "Flatten list",
            "Put the items of lists inside the list in their place.",
            {
                "depth": integer(
                    "Depth",
                    "How many levels of lists to open: 1 turns [[1, [2]], 3] into [1, [2], 3].",
                    minimum=1,
                    default=1,
                )
            },
            run_flatten,
        ),
        list_operation(
            "pluck",
            "Pluck values",
            "The value at a path in each item, e.g. every account's name; null where missing.",
            {
                "path": string(
                    "Path", "A key such as name, or a path such as account.owner.", min_length=1
                )
            },
            run_pluck,
            required=("path",),
        ),
        list_operation(
            "count",
            "Count items",
            "How many items a list has.",
            {},
            run_count,
            output_object({"count": integer("Number of items")}),
        ),
        list_operation(
            "slice",
            "Slice list",
            "The items from a start position up to an end position; negative positions count "
            "from the end (-2: the last two).",
            {
                "start": integer("Start", "Position of the first item kept, from 0.", default=0),
                "end": property_schema(
                    ["integer", "null"],
                    "End",
                    "Position of the first item not kept; empty: to the end.",
                ),
            },
            run_slice,
        ),
    ),
)
