"""The connector registry: every installed connector by key, and the catalogue the API serves."""

from __future__ import annotations

from functools import cache
from importlib import import_module, resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from connectors.errors import InputError, TerminalError
from connectors.sdk import Connector, Operation

# Adding a connector: create its package with a CONNECTOR, then list it here.
CONNECTOR_MODULES = (
    "connectors.manual",
    "connectors.webhook",
    "connectors.schedule",
    "connectors.callable",
    "connectors.alert",
    "connectors.loop",
    "connectors.boolean",
    "connectors.branch",
    "connectors.data_mapper",
    "connectors.text_helpers",
    "connectors.date_time_helpers",
    "connectors.math_helpers",
    "connectors.list_helpers",
    "connectors.object_helpers",
    "connectors.script",
    "connectors.storage",
    "connectors.delay",
    "connectors.terminate",
    "connectors.call_workflow",
    "connectors.http_client",
    "connectors.totango",
    "connectors.slack",
)


@cache
def all_connectors() -> dict[str, Connector]:
    connectors = {}
    for module_name in CONNECTOR_MODULES:
        connector: Connector = import_module(module_name).CONNECTOR
        connectors[connector.key] = connector
    return connectors


def get_connector(key: Any) -> Connector | None:
    # A definition is user input: its connector may be any JSON value.
    return all_connectors().get(key) if isinstance(key, str) else None


def get_operation(connector_key: str, operation_key: str) -> Operation | None:
    connector = get_connector(connector_key)
    return connector.operation(operation_key) if connector else None


@cache
def icon_svg(connector_key: str) -> str:
    connector = all_connectors()[connector_key]
    package = CONNECTOR_MODULES[list(all_connectors()).index(connector_key)]
    return resources.files(package).joinpath(connector.icon).read_text()


# Compiled once per schema; schemas are module-level constants, so identity is a stable key.
_validators: dict[int, Draft202012Validator] = {}


def schema_validator(schema: dict[str, Any]) -> Draft202012Validator:
    validator = _validators.get(id(schema))
    if validator is None:
        validator = _validators[id(schema)] = Draft202012Validator(schema)
    return validator


def error_path(error: ValidationError, root: str) -> str:
    parts = [root, *[str(part) for part in error.absolute_path]]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(missing)
    if error.validator == "additionalProperties" and "'" in error.message:
        parts.append(error.message.split("'")[1])
    return ".".join(part for part in parts if part)


def describe_validation_error(error: ValidationError, root: str) -> tuple[str, str]:
    """(path of the bad field, what is wrong with it) for a JSON Schema error."""
    path = error_path(error, root)
    field = path.rsplit(".", 1)[-1]
    if error.validator == "required":
        return path, f"'{field}' is required."
    if error.validator == "additionalProperties":
        return path, f"'{field}' is not a known field."
    return path, f"'{field}': {error.message}"


def validate_inputs(operation: Operation, inputs: dict[str, Any]) -> None:
    error = next(iter(schema_validator(operation.input_schema).iter_errors(inputs)), None)
    if error is not None:
        _, message = describe_validation_error(error, "")
        raise InputError(f"Invalid input {message}")


def validate_output(operation: Operation, output: Any) -> None:
    error = next(iter(schema_validator(operation.output_schema).iter_errors(output)), None)
    if error is not None:
        path, message = describe_validation_error(error, "output")
        raise TerminalError(f"{operation.title} returned an unexpected output at {path}: {message}")


def catalogue() -> list[dict[str, Any]]:
    """What GET /api/connectors/ serves: enough to build the connectors and properties panels."""
    entries = []
    for connector in all_connectors().values():
        authentication = None
        if connector.authentication:
            authentication = {
                "fields_schema": connector.authentication.fields_schema,
                "secret_fields": sorted(connector.authentication.secret_fields),
                "optional": connector.authentication.optional,
            }
        entries.append(
            {
                "key": connector.key,
                "title": connector.title,
                "description": connector.description,
                "version": connector.version,
                # The router gives every route a trailing slash; without it each icon costs a redirect.
                "icon_url": f"/api/connectors/{connector.key}/icon.svg/",
                "is_trigger": connector.is_trigger,
                "authentication": authentication,
                "operations": [
                    {
                        "key": operation.key,
                        "title": operation.title,
                        "description": operation.description,
                        "kind": operation.kind.value,
                        "fixed_lanes": list(operation.fixed_lanes),
                        "dynamic_lanes": operation.dynamic_lanes,
                        "input_schema": operation.input_schema,
                        "output_schema": operation.output_schema,
                    }
                    for operation in connector.operations
                ],
            }
        )
    return entries
