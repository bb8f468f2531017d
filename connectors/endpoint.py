"""Operations that are one call to one endpoint, declared: request from inputs, output from answer."""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from connectors.errors import TerminalError
from connectors.http import ServiceClient
from connectors.schema import Schema
from connectors.sdk import Operation, OperationContext

# httpx keyword arguments made from the inputs: {"json": ...}, {"data": ...}, {"params": ...}.
RequestArguments = Callable[[dict[str, Any]], dict[str, Any]]

PYTHON_TYPES: dict[str, type] = {"object": dict, "array": list, "string": str}


def call_json(http: ServiceClient, method: str, endpoint: str, *, what: str, **request: Any) -> Any:
    """Calls an endpoint under the base URL and returns its JSON answer.

    `what` names what was asked for in the error a user reads: "Totango answered the
    account with a body that is not JSON."
    """
    response = http.request(method, endpoint, **request)
    try:
        return response.json()
    except ValueError:
        service = http.name_for(str(response.request.url))
        raise TerminalError(f"{service} answered {what} with a body that is not JSON.") from None


def unexpected_answer(http: ServiceClient, what: str) -> TerminalError:
    """The error of an answer that is JSON but not of the shape the vendor documents."""
    return TerminalError(
        f"{http.name_for(http.base_url or '')} answered {what} with an unexpected body."
    )


def path_parameters(endpoint: str) -> list[str]:
    """The inputs an endpoint template names: ["account_id"] for /accounts/{account_id}/."""
    return [name for _, name, _, _ in string.Formatter().parse(endpoint) if name]


def endpoint_operation(
    *,
    key: str,
    title: str,
    description: str,
    method: str,
    endpoint: str,
    input_schema: Schema,
    output_schema: Schema,
    pick: str | None = None,
    request: RequestArguments | None = None,
    what: str | None = None,
    **fields: Any,
) -> Operation:
    """An Operation that calls `method endpoint` and returns the answer under its one output.

    - `endpoint` is a path under the base URL; `{name}` is replaced by that (required) input,
      URL-encoded: "/api/v2/accounts/{account_id}/".
    - `request(inputs)` gives the rest of the request (a JSON body, form fields, a query).
    - `pick` names the answer's field that is the output (`{"account": {...}}` -> "account");
      the whole answer when None. It must be of the output property's type, or the step fails
      with "<Service> answered the account with an unexpected body."
    - `what` names the answer in errors: "the " + the title's words after its verb by default.
    - `fields` are Operation's others (kind, uses_run_storage…).
    """
    parameters = path_parameters(endpoint)
    missing = sorted(set(parameters) - set(input_schema.get("required", ())))
    if missing:
        raise ValueError(f"{key}: the endpoint's parameters {missing} must be required inputs.")
    [(output_key, output_property)] = output_schema["properties"].items()
    if output_property.get("type") not in PYTHON_TYPES:
        raise ValueError(f"{key}: the output {output_key!r} must be an object, array or string.")
    expected = PYTHON_TYPES[output_property["type"]]
    named = what or f"the {title.partition(' ')[2] or title}"

    def run(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
        arguments = request(inputs) if request else {}
        path = endpoint.format_map({name: quote(str(inputs[name]), safe="") for name in parameters})
        http = context.http
        answer = call_json(http, method, path, what=named, **arguments)
        value = answer if pick is None else answer.get(pick) if isinstance(answer, dict) else None
        if not isinstance(value, expected):
            raise unexpected_answer(http, named)
        return {output_key: value}

    return Operation(
        key=key,
        title=title,
        description=description,
        input_schema=input_schema,
        output_schema=output_schema,
        run=run,
        **fields,
    )
