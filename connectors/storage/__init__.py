"""Data storage: values kept for the rest of the current run, such as a count a loop builds up.

Each iteration of a loop starts afresh, so this is how one iteration leaves something for the
next: Atomic increment a counter, then test it with a Boolean condition.
"""

from __future__ import annotations

import copy
from typing import Any

from connectors.comparisons import is_number, kind_of
from connectors.errors import InputError
from connectors.schema import any_value, input_object, number, output_object, string
from connectors.sdk import Connector, Operation, OperationContext

KEY_SCHEMA = string(
    "Key",
    "The name the value is kept under for the rest of this run, e.g. red_count.",
    min_length=1,
)
VALUE_OUTPUT = output_object({"value": any_value("Value")})


def run_set_value(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    context.run_storage[inputs["key"]] = copy.deepcopy(inputs["value"])
    return {"value": inputs["value"]}


def run_get_value(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    value = context.run_storage.get(inputs["key"], inputs.get("default"))
    return {"value": copy.deepcopy(value)}


def run_atomic_increment(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    key, current = inputs["key"], context.run_storage.get(inputs["key"], 0)
    if not is_number(current):
        raise InputError(f"Key {key!r} holds {kind_of(current)}, not a number to increment.")
    context.run_storage[key] = current + inputs.get("by", 1)
    return {"value": context.run_storage[key]}


SET_VALUE = Operation(
    key="set_value",
    title="Set value",
    description="Keep a value under a key for the rest of this run.",
    input_schema=input_object(
        {"key": KEY_SCHEMA, "value": any_value("Value")}, required=["key", "value"]
    ),
    output_schema=VALUE_OUTPUT,
    run=run_set_value,
    # Acts on the run's own memory only, rebuilt when the run resumes.
    repeatable=True,
    uses_run_storage=True,
)

GET_VALUE = Operation(
    key="get_value",
    title="Get value",
    description="The value kept under a key earlier in this run, or the default.",
    input_schema=input_object(
        {"key": KEY_SCHEMA, "default": any_value("Default", "When nothing is kept under the key.")},
        required=["key"],
    ),
    output_schema=VALUE_OUTPUT,
    run=run_get_value,
    repeatable=True,
    uses_run_storage=True,
)

ATOMIC_INCREMENT = Operation(
    key="atomic_increment",
    title="Atomic increment",
    description="Add to the number kept under a key (0 when nothing is) and return the sum: "
    "a counter that lasts across loop iterations.",
    input_schema=input_object(
        {"key": KEY_SCHEMA, "by": number("Increment by", default=1)}, required=["key"]
    ),
    output_schema=output_object({"value": number("New value")}),
    run=run_atomic_increment,
    repeatable=True,
    uses_run_storage=True,
)

CONNECTOR = Connector(
    key="storage",
    title="Data storage",
    description="Keep values for the rest of the current run: counters and totals across "
    "loop iterations.",
    icon="icon.svg",
    version="1.0",
    operations=(SET_VALUE, GET_VALUE, ATOMIC_INCREMENT),
)
