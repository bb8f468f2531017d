"""The Totango HTTP client: the data center's base URL, the app-token header, Totango's errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.http import ServiceClient, error_fields
from connectors.sdk import ClientSettings, OperationContext

DATA_CENTER_URLS = {"us": "https://api.totango.com", "eu": "https://api-eu1.totango.com"}


def base_url_for(credentials: Mapping[str, Any]) -> str:
    data_center = credentials.get("data_center", "us")
    if data_center == "custom":
        return str(credentials["base_url"])
    return DATA_CENTER_URLS[data_center]


# Totango's own words: {"error": {"message"}} on 401, {"_error"} on 400.
error_message = error_fields("error.message", "_error")


def build_client(credentials: Mapping[str, Any], settings: ClientSettings) -> ServiceClient:
    return ServiceClient(
        service="Totango",
        base_url=base_url_for(credentials),
        headers={"app-token": credentials["api_token"], "accept": "application/json"},
        settings=settings,
        error_message=error_message,
        # Totango answers 401 for a bad or replaced token (and for a query without terms,
        # which the operations refuse before calling).
        credential_refused="Totango refused the API token (HTTP 401: {vendor_says}). "
        "If a new token was generated in Totango, the old one stopped working.",
    )


def test_connection(context: OperationContext) -> str:
    # The cheapest authenticated call: one account, no columns.
    http = context.http
    http.request(
        "POST",
        "/api/v1/search/accounts",
        data={"query": '{"terms": [], "fields": [], "count": 1, "offset": 0}'},
    )
    return f"Connected to Totango at {(http.base_url or '').rstrip('/')}."
