"""POST /api/authentications/{id}/test/ per connector: ok, or the vendor's refusal in plain words."""

from __future__ import annotations

import json

import pytest

from tests.connectors.harness import vendor_headers
from tests.helpers import (
    TOTANGO_TOKEN,
    create_authentication,
    slack_authentication,
    totango_authentication,
)

pytestmark = pytest.mark.django_db


def connection_test(api, authentication: str) -> dict:
    response = api.post(f"/api/authentications/{authentication}/test/")
    assert response.status_code == 200, response.content
    return response.json()


def test_totango_connection_test_searches_one_account(api, fake_totango):
    answer = connection_test(api, totango_authentication(api, fake_totango))

    assert answer == {"ok": True, "message": f"Connected to Totango at {fake_totango.base_url}."}
    [request] = fake_totango.requests
    assert (request.method, request.path) == ("POST", "/api/v1/search/accounts")
    assert request.form == {"query": '{"terms": [], "fields": [], "count": 1, "offset": 0}'}


def test_totango_connection_test_with_a_replaced_token_says_why(api, fake_totango):
    answer = connection_test(
        api, totango_authentication(api, fake_totango, token=TOTANGO_TOKEN + "-bad")
    )

    assert answer == {
        "ok": False,
        "message": "Totango refused the API token (HTTP 401: invalid app-token (tokens are "
        "invalidated when regenerated)). If a new token was generated in Totango, the old one "
        "stopped working.",
    }


def test_slack_connection_test_calls_auth_test(api, fake_slack):
    answer = connection_test(api, slack_authentication(api, fake_slack))

    assert answer == {
        "ok": True,
        "message": "Connected to Slack workspace Fake Workspace as workflow-bot.",
    }
    [request] = fake_slack.requests
    assert (request.method, request.path) == ("POST", "/api/auth.test")


def test_slack_connection_test_with_a_bad_token_gives_slacks_code(api, fake_slack):
    answer = connection_test(api, slack_authentication(api, fake_slack, token="xoxb-old-bad"))

    assert answer == {"ok": False, "message": "Slack refused the bot token (invalid_auth)."}


def http_header_authentication(api, fake_totango, token: str) -> str:
    return create_authentication(
        api,
        "http",
        {
            "auth_type": "header",
            "header_name": "app-token",
            "header_value": token,
            "base_url": f"{fake_totango.base_url}/api/v3/activity-types/",
        },
    )


def test_http_connection_test_gets_the_base_url_with_the_credential(api, fake_totango):
    answer = connection_test(api, http_header_authentication(api, fake_totango, TOTANGO_TOKEN))

    url = f"{fake_totango.base_url}/api/v3/activity-types/"
    assert answer == {"ok": True, "message": f"Connected: GET {url} answered HTTP 200."}
    [request] = fake_totango.requests
    assert (request.method, request.path) == ("GET", "/api/v3/activity-types/")
    assert vendor_headers(request) == {"accept": "*/*", "app-token": TOTANGO_TOKEN}


def test_http_connection_test_with_a_refused_credential_quotes_the_answer(api, fake_totango):
    answer = connection_test(
        api, http_header_authentication(api, fake_totango, TOTANGO_TOKEN + "-bad")
    )

    body = {
        "error": {
            "type": "authentication_failed",
            "message": "invalid app-token (tokens are invalidated when regenerated)",
        }
    }
    url = f"{fake_totango.base_url}/api/v3/activity-types/"
    assert answer == {
        "ok": False,
        "message": f"GET {url} refused the credential "
        f"(HTTP 401: {json.dumps(body, separators=(',', ':'))}).",
    }


def test_http_connection_test_without_a_base_url_says_what_it_needs(api):
    authentication = create_authentication(
        api, "http", {"auth_type": "bearer", "token": "t0ken-1234"}
    )

    answer = connection_test(api, authentication)

    assert answer == {
        "ok": False,
        "message": "Nothing to test against: give this authentication a Base URL and the test "
        "will call it with the credential.",
    }
