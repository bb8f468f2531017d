"""Webhook: a workflow started by an HTTP call to its own URL, and the step that answers it.

Each workflow has a URL /hooks/<token>/ (builder/api/hooks.py); while the workflow is enabled
and its trigger is this one, a call to it starts a run whose trigger output is the call. The
trigger's properties say how calls are checked (a shared secret in a header, or an
HMAC-SHA256 signature of the body) and when the caller gets its answer: at once, or once a
Webhook response step has set it. The shared secret is the trigger's authentication (secrets
are kept by auth_store, never in a definition).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import InputError, TerminalError
from connectors.schema import any_value, choice, input_object, integer, obj, secret, string
from connectors.sdk import (
    AuthenticationSpec,
    ClientSettings,
    Connector,
    Operation,
    OperationContext,
    OperationKind,
)
from connectors.webhook.calls import (
    CHECK_NONE,
    CHECKS,
    DEFAULT_HEADERS,
    DEFAULT_STATUS,
    REPLIES,
    REPLY_IMMEDIATELY,
    response_header_problem,
)


class SharedSecret:
    """The trigger's "client": nothing is called with the secret, it is only compared."""

    def close(self) -> None:
        pass


def build_shared_secret(fields: Mapping[str, Any], settings: ClientSettings) -> SharedSecret:
    return SharedSecret()


def describe_shared_secret(context: OperationContext) -> str:
    return (
        "The shared secret is stored. Callers send it in the trigger's header, or sign each "
        "body with it (HMAC-SHA256)."
    )


AUTHENTICATION = AuthenticationSpec(
    fields_schema=input_object(
        {
            "secret": secret(
                "Shared secret",
                "What callers send in the trigger's header, or sign each body with "
                "(HMAC-SHA256). Long and random, e.g. `openssl rand -hex 32`.",
            )
        },
        required=["secret"],
    ),
    client_factory=build_shared_secret,
    connection_test=describe_shared_secret,
    # Only a trigger whose check is not None needs one.
    optional=True,
)


CALL_KEYS = ("method", "path", "headers", "query", "body")


def run_webhook(context: OperationContext, inputs: dict[str, Any]) -> Any:
    """The call, recorded when it arrived (builder/services/webhooks.py), is the trigger's
    output, as the Manual trigger's payload is. A run started with Run workflow (to try the
    workflow out) simulates a call: its payload is the call's body, or the call itself when
    it names any of the call's parts (the rest are those of an empty POST)."""
    payload = inputs.get("payload")
    if isinstance(payload, dict) and any(key in payload for key in CALL_KEYS):
        given = payload
    else:
        given = {"body": payload if payload not in (None, {}) else None}
    return {
        "method": "POST",
        "path": "/",
        "headers": {},
        "query": {},
        "body": None,
        **{key: value for key, value in given.items() if key in CALL_KEYS},
    }


WEBHOOK = Operation(
    key="webhook",
    title="Webhook",
    description="Runs when its URL is called (GET, POST, PUT, PATCH or DELETE, with a JSON, "
    "form or text body); the call is $.steps.trigger. Run workflow's payload is taken as a "
    "call's body, to try the workflow out.",
    # No additionalProperties: false here, unlike actions. These properties are settings of
    # the URL, read when a call arrives; the engine gives the trigger the recorded call
    # ({"payload": ...}) as its input. A definition still cannot set other properties: the
    # compiler refuses any not listed.
    input_schema={
        "type": "object",
        "properties": {
            "check": choice(
                "Check",
                CHECKS,
                "How a call proves it may start the workflow. A call that fails the check "
                "is answered 401 and starts nothing. The shared secret is the trigger's "
                "authentication.",
                default=CHECK_NONE,
            ),
            "header": string(
                "Header",
                f"The header holding the secret (default {DEFAULT_HEADERS['header']}) or the "
                f"body's hex signature, optionally sha256=… (default "
                f"{DEFAULT_HEADERS['hmac_sha256']}).",
                min_length=1,
                max_length=200,
                pattern="^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
            ),
            "reply": choice(
                "Reply",
                REPLIES,
                "When the caller gets its answer: at once (202 with the run id), or once a "
                "Webhook response step has set it (504 with the run id if none does in time).",
                default=REPLY_IMMEDIATELY,
            ),
        },
    },
    output_schema={
        "type": "object",
        "title": "Webhook call",
        "required": ["method", "path", "headers", "query", "body"],
        "properties": {
            "method": string("Method", "GET, POST, PUT, PATCH or DELETE."),
            "path": string("Path", "What followed the token in the URL: / for the URL itself."),
            "headers": obj(
                "Headers",
                description="By lower-case name; credential-like ones read [redacted].",
                additional_properties={"type": "string"},
            ),
            "query": obj(
                "Query parameters",
                description="By name: a text, or a list of texts for a repeated one.",
            ),
            "body": any_value(
                "Body", "JSON as sent, a form as an object of its fields, text as a string."
            ),
        },
    },
    run=run_webhook,
    kind=OperationKind.TRIGGER,
)


def run_webhook_response(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    headers = inputs.get("headers") or {}
    for name, value in headers.items():
        problem = response_header_problem(name, value)
        if problem is not None:
            raise InputError(problem)
    answer = {
        "status": inputs.get("status", DEFAULT_STATUS),
        "headers": dict(headers),
        "body": inputs.get("body"),
    }
    if context.services is None:
        raise TerminalError("Webhook response answers a call of a run; there is no run here.")
    context.services.respond(answer)
    context.log.append(f"Set the run's answer: HTTP {answer['status']}.")
    return answer


WEBHOOK_RESPONSE = Operation(
    key="webhook_response",
    title="Webhook response",
    description="Answer the webhook call that started the run: its status, headers and body "
    "(when the trigger replies with the workflow's answer).",
    input_schema=input_object(
        {
            "status": integer(
                "Status", "The HTTP status of the answer.", minimum=200, maximum=599, default=200
            ),
            "headers": obj(
                "Headers",
                description="Headers of the answer by name, e.g. Content-Type.",
                additional_properties={"type": "string"},
            ),
            "body": any_value(
                "Body", "A text is sent as text/plain, any other JSON as application/json."
            ),
        }
    ),
    output_schema={
        "type": "object",
        "required": ["status", "headers", "body"],
        "properties": {
            "status": integer("Status"),
            "headers": obj("Headers", additional_properties={"type": "string"}),
            "body": any_value("Body"),
        },
    },
    run=run_webhook_response,
    # It sets the run's own answer, the same each time: running it again changes nothing.
    repeatable=True,
)

CONNECTOR = Connector(
    key="webhook",
    title="Webhook",
    description="Start the workflow with an HTTP call to its own URL, and answer the call.",
    icon="icon.svg",
    version="1.0",
    operations=(WEBHOOK, WEBHOOK_RESPONSE),
    authentication=AUTHENTICATION,
)
