"""JSON Schema for operations, a property a line: builders and the fragments connectors share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Schema = dict[str, Any]

# string("Account ID", "Its id in Totango.", min_length=1) is {"type": "string", "title":
# "Account ID", "description": "Its id in Totango.", "minLength": 1}: keywords are written in
# snake_case, and keep the order they are given in, which is the order the catalogue shows.


def json_keyword(name: str) -> str:
    """min_length -> minLength: a Python keyword argument as JSON Schema spells it."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def keywords(constraints: Mapping[str, Any]) -> Schema:
    return {json_keyword(name): value for name, value in constraints.items()}


def property_schema(
    type_: str | list[str] | None, title: str, description: str | None, **constraints: Any
) -> Schema:
    schema: Schema = {} if type_ is None else {"type": type_}
    schema["title"] = title
    if description:
        schema["description"] = description
    return schema | keywords(constraints)


def string(title: str, description: str | None = None, **constraints: Any) -> Schema:
    return property_schema("string", title, description, **constraints)


def integer(title: str, description: str | None = None, **constraints: Any) -> Schema:
    return property_schema("integer", title, description, **constraints)


def number(title: str, description: str | None = None, **constraints: Any) -> Schema:
    return property_schema("number", title, description, **constraints)


def boolean(title: str, description: str | None = None, **constraints: Any) -> Schema:
    return property_schema("boolean", title, description, **constraints)


def array(title: str, description: str | None = None, **constraints: Any) -> Schema:
    return property_schema("array", title, description, **constraints)


def any_value(title: str, description: str | None = None) -> Schema:
    """A property of any JSON type: a value the step passes through or compares."""
    return property_schema(None, title, description)


def obj(
    title: str,
    properties: Schema | None = None,
    description: str | None = None,
    **constraints: Any,
) -> Schema:
    """An object property: its own properties last, after any description and constraints."""
    schema = property_schema("object", title, description, **constraints)
    return schema if properties is None else schema | {"properties": properties}


def choice(
    title: str, options: Mapping[str, str], description: str | None = None, **constraints: Any
) -> Schema:
    """A string chosen from `options`, value -> the label the properties panel shows."""
    return property_schema(
        "string",
        title,
        description,
        enum=list(options),
        enum_names=list(options.values()),
        **constraints,
    )


def item(properties: Schema) -> Schema:
    """The items of a listed array: objects of these properties."""
    return {"type": "object", "properties": properties}


def identifier(title: str, description: str | None = None) -> Schema:
    """The id of a vendor's record: a string that may not be empty."""
    return string(title, description, min_length=1)


def input_object(properties: Schema, *, required: Sequence[str] = (), **extra: Any) -> Schema:
    """An operation's input schema: an object of these properties and no others."""
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = list(required)
    return schema | {"additionalProperties": False, "properties": properties} | keywords(extra)


def output_object(properties: Schema, *, required: Sequence[str] | None = None) -> Schema:
    """An operation's output schema; every property is required unless told otherwise."""
    required = list(properties) if required is None else list(required)
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = required
    return schema | {"properties": properties}


def secret(title: str, description: str | None = None, **constraints: Any) -> Schema:
    """A credential's secret field: stored encrypted, never returned, redacted everywhere."""
    return string(title, description, min_length=1, write_only=True, **constraints)


def base_url(description: str, *, title: str = "Base URL", **constraints: Any) -> Schema:
    """Where a connector's client sends; every service connector lets a test point it elsewhere."""
    return string(title, description, format="uri", **constraints)


# --- Fragments --------------------------------------------------------------------------------


def fetch_all_pages(description: str) -> Schema:
    """The switch of a listing operation that follows the vendor's pages up to its limit."""
    return boolean("Fetch every page", description, default=False)


def page_size(*, maximum: int, default: int, description: str | None = None) -> Schema:
    return integer("Page size", description, minimum=1, maximum=maximum, default=default)


# The parts of an HTTP request a step sets beside its URL: the HTTP client and every service
# connector's Raw HTTP request.
BODY_TYPES = {"none": "None", "raw": "Raw", "json": "JSON", "form": "Form"}
HTTP_REQUEST_PROPERTIES: Schema = {
    "query_parameters": obj(
        "Query parameters", additional_properties={"type": ["string", "number", "boolean"]}
    ),
    "headers": obj("Headers", additional_properties={"type": "string"}),
    "body_type": choice("Body type", BODY_TYPES, default="none"),
    "body": any_value(
        "Body", "Raw: a string sent as is. JSON: any value. Form: an object of fields."
    ),
}
