"""The Totango HTTP client: the data center's base URL, the app-token header, Totango's errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from connectors.errors import AuthenticationFailed
from connectors.http import ServiceClient, describe_body
from connectors.sdk import ClientSettings, OperationContext

DATA_CENTER_URLS = {"us": "https://api.totango.com", "eu": "https://api-eu1.totango.com"}


def base_url_for(credentials: Mapping[str, Any]) -> str:
    data_center = credentials.get("data_center", "us")
    if data_center == "custom":
        return credentials["base_url"]
    return DATA_CENTER_URLS[data_center]


def error_message(response: httpx.Response) -> str:
    """Totango's own words: `{"error": {"message"}}` on 401, `{"_error"}` on 400."""
    try:
        body = response.json()
    except ValueError:
        return describe_body(response)
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict) and body["error"].get("message"):
            return body["error"]["message"]
        if body.get("_error"):
            return str(body["_error"])
    return describe_body(response)


class TotangoClient(ServiceClient):
    def raise_for_status(self, response: httpx.Response, *, check: bool) -> None:
        # Totango answers 401 for a bad or replaced token (and for a query without terms,
        # which the operations refuse before calling).
        if check and response.status_code == 401:
            raise AuthenticationFailed(
                f"Totango refused the API token (HTTP 401: {error_message(response)}). "
                "If a new token was generated in Totango, the old one stopped working."
            )
        super().raise_for_status(response, check=check)


def build_client(credentials: Mapping[str, Any], settings: ClientSettings) -> TotangoClient:
    return TotangoClient(
        service="Totango",
        base_url=base_url_for(credentials),
        headers={"app-token": credentials["api_token"], "accept": "application/json"},
        settings=settings,
        error_message=error_message,
    )


def test_connection(context: OperationContext) -> str:
    # The cheapest authenticated call: one account, no columns.
    context.http.request(
        "POST",
        "/api/v1/search/accounts",
        data={"query": '{"terms": [], "fields": [], "count": 1, "offset": 0}'},
    )
    return f"Connected to Totango at {context.http.base_url.rstrip('/')}."
