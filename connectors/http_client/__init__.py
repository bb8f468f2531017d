"""HTTP client: call any URL, with an optional authentication of type HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from connectors.errors import InputError, TerminalError
from connectors.http_client.client import (
    HttpClient,
    build_client,
    derived_secrets,
    test_connection,
)
from connectors.raw_http import REQUEST_PROPERTIES, request_body, response_body
from connectors.sdk import AuthenticationSpec, Connector, Operation, OperationContext

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def target_url(client: HttpClient, url: str) -> str:
    """The absolute URL to call: a full URL as given, or a path under the base URL."""
    parts = urlsplit(url)
    if not parts.scheme:
        if client.base_url is None:
            raise InputError(
                f"URL {url!r} must be a full URL such as https://api.example.com/items "
                "(a path alone needs an authentication with a Base URL)."
            )
        return client.url_for(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"URL {url!r} must start with http:// or https://.")
    if not client.is_under_base_url(url):
        # A credential bound to a base URL is never sent anywhere else.
        raise TerminalError(
            f"URL {url!r} is outside {client.base_url}, the base URL of this authentication."
        )
    return url


def run_http_request(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    anonymous = context.client is None
    client: HttpClient = context.client if not anonymous else build_client({}, context.settings)
    try:
        response = client.for_log(context.log).send(
            inputs["method"],
            target_url(client, inputs["url"]),
            check=inputs.get("fail_on_error_status", True),
            params=inputs.get("query_parameters") or None,
            headers=inputs.get("headers") or None,
            timeout=inputs.get("timeout"),
            **request_body(inputs),
        )
    finally:
        if anonymous:
            client.close()
    return {
        "status_code": response.status_code,
        "headers": dict(response.headers),
        "body": response_body(response),
    }


HTTP_REQUEST = Operation(
    key="http_request",
    title="HTTP request",
    description="Call any URL: method, headers, query, body; with an HTTP authentication if "
    "the service needs one.",
    input_schema={
        "type": "object",
        "required": ["method", "url"],
        "additionalProperties": False,
        "properties": {
            "method": {
                "type": "string",
                "title": "Method",
                "enum": list(METHODS),
                "default": "GET",
            },
            "url": {
                "type": "string",
                "title": "URL",
                "description": "A full URL, e.g. https://api.example.com/items; or a path when "
                "the authentication has a Base URL.",
                "minLength": 1,
            },
            **REQUEST_PROPERTIES,
            "timeout": {
                "type": "number",
                "title": "Timeout (seconds)",
                "description": "How long to wait for an answer; the workspace's default when "
                "empty.",
                "exclusiveMinimum": 0,
                "maximum": 300,
            },
            "fail_on_error_status": {
                "type": "boolean",
                "title": "Fail on HTTP errors",
                "description": "On: an answer of 400 or above fails the step. Off: 4xx answers "
                "are returned like any other (5xx and 429 are still retried, then fail).",
                "default": True,
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["status_code", "headers", "body"],
        "properties": {
            "status_code": {"type": "integer", "title": "Status code"},
            "headers": {
                "type": "object",
                "title": "Headers",
                "additionalProperties": {"type": "string"},
            },
            "body": {"title": "Body", "description": "Parsed when JSON, otherwise text."},
        },
    },
    run=run_http_request,
)

AUTHENTICATION = AuthenticationSpec(
    fields_schema={
        "type": "object",
        "required": ["auth_type"],
        "additionalProperties": False,
        "properties": {
            "auth_type": {
                "type": "string",
                "title": "Type",
                "enum": ["bearer", "basic", "header"],
                "enumNames": ["Bearer token", "Basic (username and password)", "Header"],
                "default": "bearer",
            },
            "token": {
                "type": "string",
                "title": "Token",
                "description": "Sent as Authorization: Bearer <token>.",
                "minLength": 1,
                "writeOnly": True,
            },
            "username": {"type": "string", "title": "Username", "minLength": 1},
            "password": {"type": "string", "title": "Password", "writeOnly": True},
            "header_name": {
                "type": "string",
                "title": "Header name",
                "description": "e.g. X-API-Key",
                "pattern": "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
            },
            "header_value": {
                "type": "string",
                "title": "Header value",
                "minLength": 1,
                "writeOnly": True,
            },
            "base_url": {
                "type": "string",
                "title": "Base URL",
                "description": "Required for an organisational authentication, optional "
                "for a personal one. When set, the credential is only ever sent to URLs under "
                "it, steps may give a path instead of a full URL, and the connection test "
                "calls it.",
                "format": "uri",
            },
        },
        "allOf": [
            {
                "if": {"properties": {"auth_type": {"const": "bearer"}}},
                "then": {"required": ["token"]},
            },
            {
                "if": {"properties": {"auth_type": {"const": "basic"}}},
                "then": {"required": ["username", "password"]},
            },
            {
                "if": {"properties": {"auth_type": {"const": "header"}}},
                "then": {"required": ["header_name", "header_value"]},
            },
        ],
    },
    client_factory=build_client,
    connection_test=test_connection,
    optional=True,
    derived_secrets=derived_secrets,
    organisational_requires=("base_url",),
)

CONNECTOR = Connector(
    key="http",
    title="HTTP client",
    description="Call any web API by URL, for services without a connector of their own.",
    icon="icon.svg",
    version="1.0",
    authentication=AUTHENTICATION,
    operations=(HTTP_REQUEST,),
)
