"""The Slack client: slack-sdk's WebClient over a keep-alive httpx connection, with our retries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypedDict

import httpx
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from connectors.errors import AuthenticationFailed, RetryableError, TerminalError
from connectors.http import RetryPolicy, ServiceClient, parse_retry_after, send_httpx
from connectors.sdk import ClientSettings, OperationContext

DEFAULT_BASE_URL = "https://slack.com/api/"
AUTH_ERRORS = frozenset(
    {"not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired"}
)


class RequestBody(TypedDict, total=False):
    """A slack-sdk request's body, as httpx takes it."""

    content: bytes
    files: dict[str, tuple[None, str]]
    data: dict[str, Any]


class HttpxWebClient(WebClient):
    """slack-sdk's WebClient sending through one httpx client.

    The stock client opens a new urllib connection per call; a loop posting thousands of
    messages pays for that on every one. Only the transport changes: slack-sdk still builds
    the requests and parses and validates the responses. The calls keep to the settings'
    limits (time, body size, network policy, cancellation) as every vendor call does.
    """

    def __init__(self, *, http: httpx.Client, settings: ClientSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.http = http
        self.settings = settings

    def _perform_urllib_http_request(self, *, url: str, args: dict[str, Any]) -> dict[str, Any]:
        headers = {key: str(value) for key, value in args["headers"].items()}
        request: RequestBody = {}
        if args.get("json"):
            headers["Content-Type"] = "application/json;charset=utf-8"
            request = {"content": json.dumps(args["json"]).encode()}
        elif args.get("data"):
            request = {"files": {key: (None, str(value)) for key, value in args["data"].items()}}
        elif args.get("params"):
            request = {"data": args["params"]}
        response = send_httpx(
            self.http,
            "POST",
            url,
            settings=self.settings,
            service="Slack",
            headers=headers,
            **request,
        )
        return {"status": response.status_code, "headers": response.headers, "body": response.text}


class SlackClient:
    """One Slack workspace's bot: calls Web API methods through slack-sdk with bounded, logged
    retries (slack-sdk's own retry handlers are not used: they would neither log nor bound)."""

    def __init__(self, *, token: str, base_url: str, settings: ClientSettings) -> None:
        self.retry_policy = RetryPolicy.from_settings(settings)
        # Raw HTTP requests and slack-sdk calls share one connection pool.
        self.service_client = ServiceClient(
            service="Slack",
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            settings=settings,
        )
        self.web = HttpxWebClient(
            http=self.service_client.httpx_client,
            settings=settings,
            token=token,
            base_url=self.service_client.base_url,
            timeout=max(1, int(settings.timeout)),
            retry_handlers=[],
        )

    def close(self) -> None:
        self.service_client.close()

    def call(self, method: str, *, log: list[str], **arguments: Any) -> dict[str, Any]:
        """Calls a Web API method (e.g. chat.postMessage) as slack-sdk's own method sends it."""
        send = getattr(self.web, method.replace(".", "_"))
        arguments = {name: value for name, value in arguments.items() if value is not None}

        def attempt() -> dict[str, Any]:
            try:
                response: SlackResponse = send(**arguments)
            except SlackApiError as error:
                raise classify_slack_error(method, error) from None
            if not isinstance(response.data, dict):  # bytes: only file downloads answer so
                raise TerminalError(f"Slack answered {method} with a body that is not JSON.")
            return response.data

        return self.retry_policy.call(attempt, log=log)


def classify_slack_error(method: str, error: SlackApiError) -> Exception:
    status = error.response.status_code
    data = error.response.data if isinstance(error.response.data, dict) else {}
    code = data.get("error", "unknown_error")
    if status == 429:
        return RetryableError(
            f"Slack rate limit reached on {method} (HTTP 429)",
            retry_after=parse_retry_after(error.response.headers.get("retry-after")),
            wait_reason="rate limited by Slack",
        )
    if status >= 500:
        content_type = str(error.response.headers.get("content-type", ""))
        body = "an HTML error page" if "html" in content_type else "an error"
        return RetryableError(
            f"Slack answered HTTP {status} on {method} with {body}", status_code=status
        )
    if code in AUTH_ERRORS:
        return AuthenticationFailed(f"Slack refused the bot token ({code}).")
    if code == "fatal_error":
        return RetryableError(f"Slack failed on {method}: fatal_error")
    if code == "missing_scope":
        return TerminalError(
            f"Slack error on {method}: missing_scope (the bot needs {data.get('needed', '?')})"
        )
    return TerminalError(f"Slack error on {method}: {code}", status_code=status)


def derived_secrets(credentials: Mapping[str, Any]) -> list[str]:
    # slack-sdk and the raw HTTP request send the token as Authorization: Bearer <token>.
    token = credentials.get("bot_token")
    return [f"Bearer {token}"] if token else []


def build_client(credentials: Mapping[str, Any], settings: ClientSettings) -> SlackClient:
    return SlackClient(
        token=credentials["bot_token"],
        base_url=credentials.get("base_url") or DEFAULT_BASE_URL,
        settings=settings,
    )


def slack_client(context: OperationContext) -> SlackClient:
    if not isinstance(context.client, SlackClient):
        raise TypeError(
            f"Step {context.step_name} has no Slack client: does it need authentication?"
        )
    return context.client


def test_connection(context: OperationContext) -> str:
    identity = slack_client(context).call("auth.test", log=context.log)
    return f"Connected to Slack workspace {identity.get('team')} as {identity.get('user')}."
