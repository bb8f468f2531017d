"""The Raw HTTP request operation every service connector gets: its base URL and auth, any endpoint."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.errors import InputError
from connectors.schema import (
    HTTP_REQUEST_PROPERTIES,
    any_value,
    input_object,
    integer,
    obj,
    output_object,
    string,
)
from connectors.sdk import Operation, OperationContext

INPUT_SCHEMA = input_object(
    {
        "method": string(
            "Method", enum=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], default="GET"
        ),
        "endpoint": string(
            "Endpoint",
            "The path after the base URL, e.g. /api/v3/touchpoints/. "
            "The base URL and the authentication are added for you.",
            min_length=1,
        ),
        **HTTP_REQUEST_PROPERTIES,
    },
    required=["method", "endpoint"],
)

OUTPUT_SCHEMA = output_object(
    {
        "response": obj(
            "Response",
            {
                "status_code": integer("Status code"),
                "headers": obj("Headers"),
                "body": any_value("Body"),
            },
        )
    }
)


def form_value(value: Any) -> str:
    # Numbers and booleans as JSON spells them (true, not Python's True).
    return value if isinstance(value, str) else json.dumps(value)


def request_body(inputs: dict[str, Any]) -> dict[str, Any]:
    """httpx keyword arguments for the chosen body type."""
    body_type = inputs.get("body_type", "none")
    body = inputs.get("body")
    if body_type == "none":
        return {}
    if body_type == "json":
        return {"json": body}
    if body_type == "form":
        if not isinstance(body, dict):
            raise InputError("Body must be an object of form fields when the body type is form.")
        return {"data": {key: form_value(value) for key, value in body.items()}}
    if isinstance(body, str):
        return {"content": body.encode()}
    return {"content": json.dumps(body).encode()}


def response_body(response: httpx.Response) -> Any:
    """JSON bodies parsed, anything else as text."""
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def run_raw_http_request(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    response = context.http.request(
        inputs["method"],
        inputs["endpoint"],
        check=False,
        params=inputs.get("query_parameters") or None,
        headers=inputs.get("headers") or None,
        **request_body(inputs),
    )
    return {
        "response": {
            "status_code": response.status_code,
            "headers": dict(response.headers),
            "body": response_body(response),
        }
    }


def raw_http_request_operation(service_title: str) -> Operation:
    return Operation(
        key="raw_http_request",
        title="Raw HTTP request",
        description=f"Call any {service_title} endpoint the other operations do not cover, "
        "with this connector's base URL and authentication.",
        input_schema=INPUT_SCHEMA,
        output_schema=OUTPUT_SCHEMA,
        run=run_raw_http_request,
    )
