"""The HTTP client's credential: bearer, basic or a named header, optionally bound to a base URL."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import httpx

from connectors.errors import AuthenticationFailed, TerminalError
from connectors.http import ServiceClient, describe_body
from connectors.sdk import ClientSettings, OperationContext


def credential_headers(credentials: Mapping[str, Any]) -> dict[str, str]:
    auth_type = credentials.get("auth_type")
    if auth_type == "bearer":
        return {"Authorization": f"Bearer {credentials['token']}"}
    if auth_type == "basic":
        pair = f"{credentials['username']}:{credentials['password']}".encode()
        return {"Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}"}
    if auth_type == "header":
        return {credentials["header_name"]: credentials["header_value"]}
    return {}


def derived_secrets(credentials: Mapping[str, Any]) -> list[str]:
    """The header values made from the secrets, and a Basic header's base64 of user:password
    alone (an echo may show it without its scheme)."""
    try:
        values = list(credential_headers(credentials).values())
    except KeyError:  # a field of the chosen type is missing: nothing would be sent
        return []
    return values + [value.split(" ", 1)[1] for value in values if value.startswith("Basic ")]


class HttpClient(ServiceClient):
    """A ServiceClient for any host: errors name the host; a 401 to a credential is refusal."""

    def __init__(self, *, has_credential: bool, **kwargs: Any) -> None:
        super().__init__(service=None, **kwargs)
        self.has_credential = has_credential

    def raise_for_status(self, response: httpx.Response, *, check: bool) -> None:
        if check and self.has_credential and response.status_code == 401:
            raise AuthenticationFailed(
                f"{self.name_for(str(response.request.url))} refused the credential "
                f"(HTTP 401: {describe_body(response)})."
            )
        super().raise_for_status(response, check=check)


def build_client(credentials: Mapping[str, Any], settings: ClientSettings) -> HttpClient:
    headers = credential_headers(credentials)
    return HttpClient(
        has_credential=bool(headers),
        base_url=credentials.get("base_url") or None,
        headers=headers,
        settings=settings,
    )


def test_connection(context: OperationContext) -> str:
    client: HttpClient = context.client.for_log(context.log)
    if client.base_url is None:
        raise TerminalError(
            "Nothing to test against: give this authentication a Base URL and the test will "
            "call it with the credential."
        )
    response = client.send("GET", client.base_url, check=False)
    if response.status_code in (401, 403):
        raise AuthenticationFailed(
            f"GET {client.base_url} refused the credential "
            f"(HTTP {response.status_code}: {describe_body(response)})."
        )
    return f"Connected: GET {client.base_url} answered HTTP {response.status_code}."
