"""Each service connector against each fault a vendor plays: the run ends, with words a user reads.

The worker's timeout and retry bound are short here (see WORKER_HTTP_TIMEOUT_SECONDS and
WORKER_MAX_RETRIES in tests/servers.py); the fakes choose the fault from the token's suffix.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes.server import FakeServer
from tests.helpers import (
    SLACK_TOKEN,
    TOTANGO_TOKEN,
    all_step_runs,
    create_authentication,
    run_workflow,
    single_step_definition,
    slack_authentication,
    totango_authentication,
)
from tests.servers import WORKER_MAX_RETRIES

pytestmark = pytest.mark.django_db(transaction=True)

# The HTTP client's own timeout input, shorter than the worker's: it is the one honoured.
HTTP_CLIENT_TIMEOUT_SECONDS = 0.5


@dataclass
class Service:
    """One service connector's step, run against its fake with a token chosen per fault."""

    name: str  # how its errors name it
    fake: FakeServer
    step_name: str
    definition: Callable[[str], dict[str, Any]]  # token suffix → a one-step workflow
    bad_token_error: str
    timeout_seconds: float = 1.0
    timeout_setting: str = "CONNECTOR_HTTP_TIMEOUT"  # what the timeout error names

    def run(self, api, suffix: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The finished run and its service step's record."""
        run = run_workflow(api, self.definition(suffix))
        [step] = [s for s in all_step_runs(api, run["id"]) if s["path"] == self.step_name]
        return run, step


@pytest.fixture(params=["totango", "slack", "http"])
def service(request, api, fake_totango, fake_slack) -> Service:
    totango_host = f"{fake_totango.host}:{fake_totango.port}"
    if request.param == "totango":
        return Service(
            name="Totango",
            fake=fake_totango,
            step_name="totango-1",
            definition=lambda suffix: single_step_definition(
                "totango",
                "search_data_raw",
                {
                    "data_type": {"type": "string", "value": "accounts"},
                    "query": {"type": "string", "value": '{"terms": [], "count": 5}'},
                },
                authentication=totango_authentication(
                    api, fake_totango, token=TOTANGO_TOKEN + suffix
                ),
            ),
            bad_token_error=(
                "Totango refused the API token (HTTP 401: invalid app-token (tokens are "
                "invalidated when regenerated)). If a new token was generated in Totango, the "
                "old one stopped working. Authentication 'totango auth' needs a new token."
            ),
        )
    if request.param == "slack":
        return Service(
            name="Slack",
            fake=fake_slack,
            step_name="slack-1",
            definition=lambda suffix: single_step_definition(
                "slack",
                "send_message",
                {
                    "channel": {"type": "string", "value": "#general"},
                    "text": {"type": "string", "value": "Health check"},
                },
                authentication=slack_authentication(api, fake_slack, token=SLACK_TOKEN + suffix),
            ),
            bad_token_error=(
                "Slack refused the bot token (invalid_auth). "
                "Authentication 'slack auth' needs a new token."
            ),
        )
    # The HTTP client calls the fake Totango with its app-token as a named header.
    return Service(
        name=totango_host,
        fake=fake_totango,
        step_name="http-1",
        definition=lambda suffix: single_step_definition(
            "http",
            "http_request",
            {
                "method": {"type": "string", "value": "GET"},
                "url": {
                    "type": "string",
                    "value": f"{fake_totango.base_url}/api/v3/activity-types/",
                },
                "timeout": {"type": "number", "value": HTTP_CLIENT_TIMEOUT_SECONDS},
            },
            authentication=create_authentication(
                api,
                "http",
                {
                    "auth_type": "header",
                    "header_name": "app-token",
                    "header_value": TOTANGO_TOKEN + suffix,
                },
            ),
        ),
        bad_token_error=(
            f"{totango_host} refused the credential (HTTP 401: "
            + json.dumps(
                {
                    "error": {
                        "type": "authentication_failed",
                        "message": "invalid app-token (tokens are invalidated when regenerated)",
                    }
                },
                separators=(",", ":"),
            )
            + "). Authentication 'http auth' needs a new token."
        ),
        timeout_seconds=HTTP_CLIENT_TIMEOUT_SECONDS,
        timeout_setting="the step's Timeout",
    )


def rate_limited(service: Service) -> str:
    if service.name == "Slack":
        return "Slack rate limit reached on chat.postMessage (HTTP 429)"
    return f"{service.name} rate limit reached (HTTP 429)"


def html_error(service: Service) -> str:
    if service.name == "Slack":
        return "Slack answered HTTP 500 on chat.postMessage with an HTML error page"
    return f"{service.name} answered HTTP 500 with an HTML error page"


def where(service: Service) -> str:
    host = f"{service.fake.host}:{service.fake.port}"
    return host if service.name == host else f"{service.name} at {host}"


def test_bad_token_fails_at_once_naming_the_authentication(api, celery_worker, service):
    run, step = service.run(api, "-bad")

    assert run["status"] == "failed"
    assert run["error"] == service.bad_token_error
    assert (step["status"], step["retries"]) == ("failed", 0)
    assert len(service.fake.requests) == 1


def test_rate_limit_once_is_retried_after_retry_after_and_succeeds(api, celery_worker, service):
    run, step = service.run(api, "-ratelimited-once")

    assert run["status"] == "succeeded", run
    assert step["retries"] == 1
    assert step["log"] == [f"Retry 1 of {WORKER_MAX_RETRIES} in 0s: {rate_limited(service)}"]
    assert len(service.fake.requests) == 2


def test_rate_limit_every_time_fails_after_the_bounded_retries(api, celery_worker, service):
    run, step = service.run(api, "-ratelimited")

    assert run["status"] == "failed"
    assert run["error"] == f"{rate_limited(service)}; gave up after 2 retries"
    assert step["retries"] == WORKER_MAX_RETRIES
    assert len(service.fake.requests) == 1 + WORKER_MAX_RETRIES


def test_500_with_an_html_page_is_retried_then_named_not_quoted(api, celery_worker, service):
    run, step = service.run(api, "-error500")

    assert run["status"] == "failed"
    assert run["error"] == f"{html_error(service)}; gave up after 2 retries"
    assert step["log"] == [
        f"Retry 1 of 2 in 0.5s: {html_error(service)}",
        f"Retry 2 of 2 in 1s: {html_error(service)}",
    ]


def test_a_reply_slower_than_the_timeout_is_given_up_on(api, celery_worker, service):
    # Just slower than the timeout, so the replies given up on land before the next test.
    service.fake.slow_seconds = service.timeout_seconds + 0.3

    run, step = service.run(api, "-slow")
    # The replies given up on are sent (to no one) before the next test uses the fake.
    service.fake.wait_until_idle()

    assert run["status"] == "failed"
    assert run["error"] == (
        f"{where(service)} did not answer within {service.timeout_seconds:g}s "
        f"({service.timeout_setting}); gave up after 2 retries"
    )
    assert step["retries"] == WORKER_MAX_RETRIES


def test_a_dropped_connection_is_retried_then_reported(api, celery_worker, service):
    run, step = service.run(api, "-drop")

    assert run["status"] == "failed"
    assert run["error"] == (
        f"{where(service)} closed the connection without answering; gave up after 2 retries"
    )
    assert step["retries"] == WORKER_MAX_RETRIES
    assert len(service.fake.requests) == 1 + WORKER_MAX_RETRIES
