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
from connectors.raw_http import request_body, response_body
from connectors.schema import (
    HTTP_REQUEST_PROPERTIES,
    any_value,
    base_url,
    boolean,
    choice,
    input_object,
    integer,
    number,
    obj,
    output_object,
    secret,
    string,
)
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
    input_schema=input_object(
        {
            "method": string("Method", enum=list(METHODS), default="GET"),
            "url": string(
                "URL",
                "A full URL, e.g. https://api.example.com/items; or a path when the "
                "authentication has a Base URL.",
                min_length=1,
            ),
            **HTTP_REQUEST_PROPERTIES,
            "timeout": number(
                "Timeout (seconds)",
                "How long to wait for an answer; the workspace's default when empty.",
                exclusive_minimum=0,
                maximum=300,
            ),
            "fail_on_error_status": boolean(
                "Fail on HTTP errors",
                "On: an answer of 400 or above fails the step. Off: 4xx answers are returned "
                "like any other (5xx and 429 are still retried, then fail).",
                default=True,
            ),
        },
        required=["method", "url"],
    ),
    output_schema=output_object(
        {
            "status_code": integer("Status code"),
            "headers": obj("Headers", additional_properties={"type": "string"}),
            "body": any_value("Body", "Parsed when JSON, otherwise text."),
        }
    ),
    run=run_http_request,
)

# The fields each type of credential needs beside its type.
FIELDS_BY_AUTH_TYPE = {
    "bearer": ["token"],
    "basic": ["username", "password"],
    "header": ["header_name", "header_value"],
}

AUTHENTICATION = AuthenticationSpec(
    fields_schema=input_object(
        {
            "auth_type": choice(
                "Type",
                {
                    "bearer": "Bearer token",
                    "basic": "Basic (username and password)",
                    "header": "Header",
                },
                default="bearer",
            ),
            "token": secret("Token", "Sent as Authorization: Bearer <token>."),
            "username": string("Username", min_length=1),
            "password": string("Password", write_only=True),
            "header_name": string(
                "Header name", "e.g. X-API-Key", pattern="^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
            ),
            "header_value": secret("Header value"),
            "base_url": base_url(
                "Required for an organisational authentication, optional for a personal one. "
                "When set, the credential is only ever sent to URLs under it, steps may give a "
                "path instead of a full URL, and the connection test calls it."
            ),
        },
        required=["auth_type"],
        all_of=[
            {
                "if": {"properties": {"auth_type": {"const": auth_type}}},
                "then": {"required": fields},
            }
            for auth_type, fields in FIELDS_BY_AUTH_TYPE.items()
        ],
    ),
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
