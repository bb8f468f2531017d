"""Totango (customer success platform): search, accounts, touchpoints, and any Totango endpoint."""

from connectors.raw_http import raw_http_request_operation
from connectors.schema import base_url, choice, input_object, string
from connectors.sdk import AuthenticationSpec, Connector
from connectors.totango.client import build_client, test_connection
from connectors.totango.operations import (
    CREATE_TOUCHPOINT,
    GET_ACCOUNT,
    LIST_ACTIVITY_TYPES,
    LIST_TOUCHPOINT_TAGS,
    LIST_TOUCHPOINT_TYPES,
    LIST_TOUCHPOINTS,
    SEARCH_DATA_RAW,
    UPDATE_TOUCHPOINT,
)

AUTHENTICATION = AuthenticationSpec(
    fields_schema=input_object(
        {
            "api_token": string(
                "API token",
                "In Totango: click your username (top right) → Edit Profile → INTEGRATION tab.",
                **{
                    "x-warning": "Clicking 'Generate Token' in Totango creates a new token: other "
                    "integrations using the old one stop working."
                },
                min_length=1,
                write_only=True,
            ),
            "data_center": choice(
                "Data center", {"us": "US", "eu": "EU", "custom": "Custom base URL"}, default="us"
            ),
            "base_url": base_url(
                "Only for the custom data center, e.g. https://api.totango.com.",
                title="Custom base URL",
            ),
        },
        required=["api_token", "data_center"],
        **{
            "if": {"properties": {"data_center": {"const": "custom"}}},
            "then": {"required": ["base_url"]},
        },
    ),
    client_factory=build_client,
    connection_test=test_connection,
    # The token travels as is, in the app-token header: nothing is derived from it.
)

CONNECTOR = Connector(
    key="totango",
    title="Totango",
    description="Customer success platform: search accounts and users, manage touchpoints.",
    icon="icon.svg",
    version="1.0",
    authentication=AUTHENTICATION,
    operations=(
        SEARCH_DATA_RAW,
        CREATE_TOUCHPOINT,
        UPDATE_TOUCHPOINT,
        LIST_TOUCHPOINTS,
        GET_ACCOUNT,
        LIST_ACTIVITY_TYPES,
        LIST_TOUCHPOINT_TYPES,
        LIST_TOUCHPOINT_TAGS,
        raw_http_request_operation("Totango"),
    ),
)
