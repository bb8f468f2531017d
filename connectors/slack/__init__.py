"""Slack: post messages, list channels, find people, and call any Web API method, as a bot."""

from connectors.raw_http import raw_http_request_operation
from connectors.schema import base_url, input_object, secret
from connectors.sdk import AuthenticationSpec, Connector
from connectors.slack.client import (
    DEFAULT_BASE_URL,
    build_client,
    derived_secrets,
    test_connection,
)
from connectors.slack.operations import GET_USER_BY_EMAIL, LIST_CONVERSATIONS, SEND_MESSAGE

AUTHENTICATION = AuthenticationSpec(
    fields_schema=input_object(
        {
            "bot_token": secret(
                "Bot token", "The Bot User OAuth Token of your Slack app (xoxb-…)."
            ),
            "base_url": base_url(
                "Slack's Web API; change only for Slack GovSlack or a proxy.",
                default=DEFAULT_BASE_URL,
            ),
        },
        required=["bot_token"],
    ),
    client_factory=build_client,
    connection_test=test_connection,
    derived_secrets=derived_secrets,
)

CONNECTOR = Connector(
    key="slack",
    title="Slack",
    description="Team messaging: post messages to channels and threads, find channels and people.",
    icon="icon.svg",
    version="1.0",
    authentication=AUTHENTICATION,
    operations=(
        SEND_MESSAGE,
        LIST_CONVERSATIONS,
        GET_USER_BY_EMAIL,
        raw_http_request_operation("Slack"),
    ),
)
