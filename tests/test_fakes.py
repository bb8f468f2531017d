"""Checks that the loopback Totango and Slack fakes follow docs/vendors/vendor-apis.md."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.fakes.slack import FakeSlack
from tests.fakes.totango import FakeTotango

TOTANGO_TOKEN = "totango-token"
SLACK_TOKEN = "xoxb-test-token"
REPO_ROOT = Path(__file__).resolve().parent.parent
# slack-sdk warns when a message has no top-level text; several tests omit it on purpose.
IGNORE_MISSING_TEXT = pytest.mark.filterwarnings("ignore::UserWarning:slack_sdk.web.internal_utils")


@pytest.fixture
def totango() -> Iterator[FakeTotango]:
    with FakeTotango(accounts=25, users=6) as fake:
        fake.slow_seconds = 0.5
        yield fake


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.slow_seconds = 0.5
        yield fake


def totango_client(fake: FakeTotango, token: str = TOTANGO_TOKEN, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=fake.base_url, headers={"app-token": token}, **kwargs)


def search(client: httpx.Client, kind: str = "accounts", **query: Any) -> httpx.Response:
    return client.post(f"/api/v1/search/{kind}", data={"query": json.dumps(query)})


def slack_client(fake: FakeSlack, token: str = SLACK_TOKEN, **kwargs: Any) -> WebClient:
    return WebClient(base_url=fake.base_url + "/api/", token=token, **kwargs)


# -- Totango ---------------------------------------------------------------------------------


def test_totango_search_pages_through_accounts_in_display_name_order(totango: FakeTotango):
    names: list[str] = []
    with totango_client(totango) as client:
        offset, count = 0, 10
        while True:
            body = search(client, terms=[], fields=[], count=count, offset=offset).json()
            assert body["status"] == "success"
            assert body["service_id"] == "SP-1234-01"
            assert isinstance(body["took"], int)
            page = body["response"]["accounts"]
            names += [hit["name"] for hit in page["hits"]]
            if offset + count >= page["total_hits"]:
                break
            offset += count
    assert names == [f"acc-{n:04d}" for n in range(1, 26)]

    with totango_client(totango) as client:
        hit = search(client, terms=[], count=1, sort_order="DESC").json()
    assert hit["response"]["accounts"]["hits"] == [
        {"name": "acc-0025", "display_name": "Account 0025", "selected_fields": []}
    ]


def test_totango_search_filters_and_selected_fields(totango: FakeTotango):
    fields = [
        {"type": "health", "field_display_name": "Health"},
        {"type": "string_attribute", "attribute": "Region", "field_display_name": "Region"},
        {"type": "string_attribute", "attribute": "Nope", "field_display_name": "Missing"},
    ]
    terms = [
        {"type": "string", "term": "status_group", "in_list": ["churned"]},
        {"type": "string_attribute", "attribute": "Region", "eq": "LATAM"},
    ]
    with totango_client(totango) as client:
        page = search(client, terms=terms, fields=fields).json()["response"]["accounts"]
        users = search(client, "users", terms=[], count=2).json()["response"]["users"]
    assert page["total_hits"] == 6
    assert page["hits"][0] == {
        "name": "acc-0004",
        "display_name": "Account 0004",
        "selected_fields": ["green", "LATAM", None],
    }
    assert users["hits"][1]["account"] == {"name": "acc-0002", "display_name": "Account 0002"}


def test_totango_search_accepts_json_body(totango: FakeTotango):
    with totango_client(totango) as client:
        response = client.post(
            "/api/v1/search/accounts", json={"query": json.dumps({"terms": [], "count": 3})}
        )
    assert response.status_code == 200
    assert len(response.json()["response"]["accounts"]["hits"]) == 3


def test_totango_auth_and_missing_terms_answer_401(totango: FakeTotango):
    with httpx.Client(base_url=totango.base_url) as anonymous:
        assert search(anonymous, terms=[]).status_code == 401
    for token in ("wrong-token", TOTANGO_TOKEN + "-bad"):
        with totango_client(totango, token) as client:
            response = search(client, terms=[])
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "authentication_failed"
    with totango_client(totango) as client:
        response = search(client, count=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_failed"


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        ({"terms": [], "count": 1001}, "count must be between 1 and 1000"),
        ({"terms": [], "count": 0}, "count must be between 1 and 1000"),
        ({"terms": [], "count": 1000, "offset": 9001}, "offset + count must not exceed 10000"),
    ],
)
def test_totango_search_rejects_bad_paging(
    totango: FakeTotango, query: dict[str, Any], message_part: str
):
    with totango_client(totango) as client:
        response = search(client, **query)
    assert response.status_code == 400
    assert response.json()["status"] == "failed"
    assert message_part in response.json()["_error"]


def test_totango_search_rejects_malformed_query_json(totango: FakeTotango):
    with totango_client(totango) as client:
        response = client.post("/api/v1/search/accounts", data={"query": '{"terms": ['})
    assert response.status_code == 400
    assert response.json()["_error"].startswith("malformed query JSON")


def test_totango_touchpoints_feed_events(totango: FakeTotango):
    note = {"account_id": "acc-0003", "content": "Renewal call", "subject": "QBR"}
    with totango_client(totango) as client:
        created = client.post("/api/v3/touchpoints/", data={**note, "create_date": "1"})
        assert created.status_code == 200
        note_id = created.json()["note"]["id"]
        assert created.json()["note"]["subject"] == "QBR"
        updated = client.put(f"/api/v3/touchpoints/{note_id}", json={"content": "Renewed"})
        assert updated.json()["note"]["content"] == "Renewed"

        rejected = {
            "html": client.post("/api/v3/touchpoints/", json={**note, "content": "<b>x</b>"}),
            "long": client.post("/api/v3/touchpoints/", json={**note, "content": "x" * 12_001}),
            "unknown": client.post("/api/v3/touchpoints/", json={**note, "account_id": "acc-9"}),
            "missing": client.post("/api/v3/touchpoints/", json={"account_id": "acc-0003"}),
        }
        query = json.dumps({"terms": [], "count": 1, "offset": 2})
        events = client.post(
            "/api/v2/events/search", data={"query": query, "account_id": "acc-0003"}
        ).json()["response"]["events"]
        no_count = client.post("/api/v2/events/search", data={"query": '{"terms": []}'})
        account = client.get("/api/v2/accounts/acc-0003/").json()["account"]
        missing_account = client.get("/api/v2/accounts/acc-9999/")
        lookups = [
            client.get(f"/api/v3/{name}/").json()
            for name in ("activity-types", "touchpoint-types", "touchpoint-tags")
        ]

    assert all(response.status_code == 400 for response in rejected.values())
    assert rejected["unknown"].json() == {"status": "failed", "_error": "account not found"}
    assert events["total_hits"] == 3  # two seeded events plus the touchpoint
    assert events["hits"][0]["note_content"] == {"note_id": note_id, "text": "Renewed"}
    assert no_count.status_code == 400
    assert account["health"] == {"curr": "red"}
    assert set(account) == {"status", "status_group", "health", "attributes", "tags"}
    assert missing_account.status_code == 404
    assert [lookup[0]["id"] for lookup in lookups] == ["onboarding", "call", "tag-0001"]

    totango.reset()
    assert totango.touchpoints == {}
    assert len(totango.accounts) == 25  # seeded data survives reset


# -- Faults (shared by both fakes) ---------------------------------------------------------


def test_ratelimited_once_is_per_token_then_normal(totango: FakeTotango):
    for token in (TOTANGO_TOKEN + "-ratelimited-once", "x-" + TOTANGO_TOKEN + "-ratelimited-once"):
        totango.tokens.add(token.removesuffix("-ratelimited-once"))
        with totango_client(totango, token) as client:
            first, second = search(client, terms=[]), search(client, terms=[])
        assert (first.status_code, first.headers["retry-after"]) == (429, "0")
        assert second.status_code == 200


def test_ratelimited_once_trips_exactly_once_under_concurrency(totango: FakeTotango):
    statuses: list[int] = []

    def call() -> None:
        with totango_client(totango, TOTANGO_TOKEN + "-ratelimited-once") as client:
            statuses.append(search(client, terms=[], count=1).status_code)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 11 + [429]


@pytest.mark.parametrize(
    ("suffix", "status", "content_type"),
    [
        ("-ratelimited", 429, "application/json"),
        ("-error500", 500, "text/html"),
        ("-error503", 503, "text/html"),
    ],
)
def test_fault_suffixes_answer_every_time(
    totango: FakeTotango, suffix: str, status: int, content_type: str
):
    with totango_client(totango, TOTANGO_TOKEN + suffix) as client:
        responses = [search(client, terms=[]) for _ in range(2)]
    assert [r.status_code for r in responses] == [status, status]
    assert responses[0].headers["content-type"].startswith(content_type)
    assert len(totango.requests) == 2


def test_slow_outlasts_client_timeout_and_drop_sends_nothing(totango: FakeTotango):
    totango.slow_seconds = 0.3
    with (
        totango_client(totango, TOTANGO_TOKEN + "-slow", timeout=0.1) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        search(client, terms=[])
    with totango_client(totango, TOTANGO_TOKEN + "-slow", timeout=2) as client:
        started = time.perf_counter()
        assert search(client, terms=[]).status_code == 200
        assert time.perf_counter() - started >= 0.3
    with (
        totango_client(totango, TOTANGO_TOKEN + "-drop") as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        search(client, terms=[])


def test_keep_alive_reuses_one_connection(totango: FakeTotango):
    with totango_client(totango) as client:
        for _ in range(30):
            assert client.get("/api/v3/touchpoint-tags/").status_code == 200
        assert totango.open_connections == 1

    assert totango.connections_opened == 1
    totango.wait_until_idle()
    assert totango.open_connections == 0


def test_admin_endpoints_reset_config_and_log(slack: FakeSlack):
    with httpx.Client(base_url=slack.base_url) as admin:
        slack_client(slack).auth_test()
        logged = admin.get("/_fake/requests").json()
        assert [entry["path"] for entry in logged] == ["/api/auth.test"]
        config = admin.post("/_fake/config", json={"fail_message_number": 1}).json()
        assert config["fail_message_number"] == 1
        assert admin.post("/_fake/config", json={"nope": 1}).status_code == 400
        with pytest.raises(SlackApiError):
            slack_client(slack).chat_postMessage(channel="general", text="lost")
        assert admin.post("/_fake/reset").json() == {"ok": True}
        assert admin.get("/_fake/requests").json() == []
        assert admin.get("/_fake/config").json()["fail_message_number"] is None
        admin.post("/_fake/config", json={"fault": "error503"})
        bearer = {"Authorization": f"Bearer {SLACK_TOKEN}"}
        assert admin.post("/api/auth.test", headers=bearer).status_code == 503
    assert [request.path for request in slack.requests] == ["/api/auth.test"]


# -- Checks before faults -------------------------------------------------------------------


def totango_raw(
    fake: FakeTotango, method: str, path: str, token: str | None, **kwargs: Any
) -> httpx.Response:
    headers = {"app-token": token} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return httpx.request(method, fake.base_url + path, headers=headers, **kwargs)


SEARCH_FORM = {"query": json.dumps({"terms": [], "count": 1})}


@pytest.mark.parametrize(
    ("method", "path", "token", "body", "status", "error"),
    [
        (
            "POST",
            "/api/v1/search/account",
            TOTANGO_TOKEN + "-error503",
            {"data": SEARCH_FORM},
            404,
            "not found: POST /api/v1/search/account",
        ),
        (
            "GET",
            "/api/v1/search/accounts",
            TOTANGO_TOKEN + "-error503",
            {},
            405,
            "method GET not allowed on /api/v1/search/accounts",
        ),
        (
            "POST",
            "/api/v2/events/search",
            TOTANGO_TOKEN + "-error503",
            {"json": {"query": json.dumps({"terms": [], "count": 1})}},
            415,
            "application/json is not accepted by POST /api/v2/events/search: "
            "send application/x-www-form-urlencoded",
        ),
        (
            "POST",
            "/api/v1/search/accounts",
            TOTANGO_TOKEN + "-ratelimited",
            {"content": b"query=x", "headers": {"content-type": "text/plain"}},
            415,
            "text/plain is not accepted by POST /api/v1/search/accounts: "
            "send application/json or application/x-www-form-urlencoded",
        ),
        (
            "POST",
            "/api/v3/touchpoints/",
            TOTANGO_TOKEN + "-drop",
            {"files": {"account_id": (None, "acc-0001"), "content": (None, "Hi")}},
            415,
            "multipart/form-data is not accepted by POST /api/v3/touchpoints/: "
            "send application/json or application/x-www-form-urlencoded",
        ),
    ],
    ids=["unknown-path", "wrong-method", "json-to-events", "text-body", "multipart-body"],
)
def test_totango_refuses_a_request_off_the_contract_before_playing_its_fault(
    totango: FakeTotango, method, path, token, body, status, error
):
    response = totango_raw(totango, method, path, token, **body)

    assert response.status_code == status
    assert response.json() == {"status": "failed", "_error": error}
    assert len(totango.requests) == 1


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "missing app-token header"),
        ("wrong-token-error503", "invalid app-token (tokens are invalidated when regenerated)"),
        (TOTANGO_TOKEN + "-bad", "invalid app-token (tokens are invalidated when regenerated)"),
    ],
)
def test_totango_refuses_a_missing_or_wrong_token_before_any_fault(
    totango: FakeTotango, token: str | None, message: str
):
    totango.configure(fault="error500")

    response = totango_raw(totango, "POST", "/api/v1/search/accounts", token, data=SEARCH_FORM)

    assert response.status_code == 401
    assert response.json() == {"error": {"type": "authentication_failed", "message": message}}


def test_totango_plays_the_fault_of_a_request_that_passes_the_checks(totango: FakeTotango):
    token = TOTANGO_TOKEN + "-ratelimited-once"

    refused = totango_raw(totango, "POST", "/api/v1/search/acounts", token, data=SEARCH_FORM)
    limited = totango_raw(totango, "POST", "/api/v1/search/accounts", token, data=SEARCH_FORM)
    answered = totango_raw(totango, "POST", "/api/v1/search/accounts", token, data=SEARCH_FORM)

    # The refused request did not use up the one rate limit
    assert [refused.status_code, limited.status_code, answered.status_code] == [404, 429, 200]


def test_totango_events_search_takes_a_form_and_searches_take_a_form_or_json(
    totango: FakeTotango,
):
    query = json.dumps({"terms": [], "count": 2})
    as_form = {"query": query, "account_id": "acc-0001"}

    events = totango_raw(totango, "POST", "/api/v2/events/search", TOTANGO_TOKEN, data=as_form)
    events_json = totango_raw(totango, "POST", "/api/v2/events/search", TOTANGO_TOKEN, json=as_form)
    search_json = totango_raw(
        totango, "POST", "/api/v1/search/accounts", TOTANGO_TOKEN, json={"query": query}
    )

    assert events.status_code == 200
    assert events.json()["response"]["events"]["total_hits"] == 2
    assert events_json.status_code == 415
    assert search_json.status_code == 200


def slack_raw(
    fake: FakeSlack, http_method: str, method: str, token: str | None = SLACK_TOKEN, **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    return httpx.request(http_method, f"{fake.base_url}/api/{method}", headers=headers, **kwargs)


@pytest.mark.parametrize(
    ("where", "request_arguments"),
    [
        ("form body", {"data": {"token": SLACK_TOKEN, "channel": "general", "text": "x"}}),
        ("JSON body", {"json": {"token": SLACK_TOKEN, "channel": "general", "text": "x"}}),
        ("query string", {"params": {"token": SLACK_TOKEN, "channel": "general", "text": "x"}}),
        (
            "Basic scheme",
            {
                "data": {"channel": "general", "text": "x"},
                "headers": {"Authorization": f"Basic {SLACK_TOKEN}"},
            },
        ),
    ],
)
def test_slack_reads_the_token_from_the_bearer_header_only(
    slack: FakeSlack, where: str, request_arguments: dict[str, Any]
):
    response = slack_raw(slack, "POST", "chat.postMessage", token=None, **request_arguments)

    assert response.status_code == 200
    assert response.json() == {"ok": False, "error": "not_authed"}
    assert slack.messages == []


@pytest.mark.parametrize(
    ("http_method", "method", "token", "body", "status", "answer"),
    [
        (
            "POST",
            "chat.postMesage",
            SLACK_TOKEN + "-error503",
            {"json": {"channel": "general", "text": "x"}},
            404,
            {"ok": False, "error": "unknown_method", "req_method": "chat.postMesage"},
        ),
        (
            "GET",
            "conversations.list",
            SLACK_TOKEN + "-error503",
            {},
            405,
            {"ok": False, "error": "method_not_allowed", "req_method": "conversations.list"},
        ),
        (
            "POST",
            "conversations.list",
            SLACK_TOKEN + "-ratelimited",
            {"json": {"limit": 1}},
            200,
            {"ok": False, "error": "invalid_post_type"},
        ),
        (
            "POST",
            "chat.postMessage",
            SLACK_TOKEN + "-drop",
            {"content": b"channel=general", "headers": {"content-type": "text/plain"}},
            200,
            {"ok": False, "error": "invalid_post_type"},
        ),
        (
            "POST",
            "chat.postMessage",
            SLACK_TOKEN + "-error500",
            {"content": b"{", "headers": {"content-type": "application/json"}},
            200,
            {"ok": False, "error": "invalid_json"},
        ),
        (
            "POST",
            "auth.test",
            "xoxb-unknown-error503",
            {},
            200,
            {"ok": False, "error": "invalid_auth"},
        ),
        (
            "POST",
            "auth.test",
            SLACK_TOKEN + "-bad-error503",
            {},
            200,
            {"ok": False, "error": "invalid_auth"},
        ),
        ("POST", "auth.test", None, {}, 200, {"ok": False, "error": "not_authed"}),
    ],
    ids=[
        "unknown-method",
        "get",
        "json-to-a-form-method",
        "text-body",
        "malformed-json",
        "unknown-token",
        "bad-token",
        "no-token",
    ],
)
def test_slack_refuses_a_request_off_the_contract_before_playing_its_fault(
    slack: FakeSlack, http_method, method, token, body, status, answer
):
    if token is None:
        slack.configure(fault="error503")

    response = slack_raw(slack, http_method, method, token, **body)

    assert response.status_code == status
    assert response.json() == answer
    assert len(slack.requests) == 1


def test_slack_takes_a_form_or_json_for_post_message_and_a_form_for_the_others(slack: FakeSlack):
    as_json = slack_raw(slack, "POST", "chat.postMessage", json={"channel": "general", "text": "a"})
    as_form = slack_raw(slack, "POST", "chat.postMessage", data={"channel": "general", "text": "b"})
    listed = slack_raw(slack, "POST", "conversations.list", data={"limit": "1"})
    bare = slack_raw(slack, "POST", "auth.test")

    assert [as_json.json()["ok"], as_form.json()["ok"], listed.json()["ok"]] == [True] * 3
    assert [channel["name"] for channel in listed.json()["channels"]] == ["customer-success"]
    assert bare.json()["ok"] is True
    assert [message["text"] for message in slack.messages] == ["a", "b"]


# -- Holding replies --------------------------------------------------------------------------


def search_in_thread(
    fake: FakeTotango, token: str = TOTANGO_TOKEN
) -> tuple[threading.Thread, list]:
    outcome: list[Any] = []

    def call() -> None:
        with totango_client(fake, token) as client:
            try:
                outcome.append(search(client, terms=[], count=1).status_code)
            except httpx.TransportError as error:
                outcome.append(type(error).__name__)

    thread = threading.Thread(target=call)
    thread.start()
    return thread, outcome


def test_a_held_request_is_answered_when_let_through_and_not_before(totango: FakeTotango):
    totango.hold()
    first, first_outcome = search_in_thread(totango)
    totango.wait_until_held(1)
    second, second_outcome = search_in_thread(totango)
    totango.wait_until_held(2)

    # While held nothing is answered; each pass answers one request
    assert (first_outcome, second_outcome, len(totango.requests)) == ([], [], 2)
    totango.let_through(1)
    while not (first_outcome or second_outcome):
        first.join(0.01)
    assert first_outcome + second_outcome == [200]
    assert totango.held == 1
    totango.release()
    first.join()
    second.join()
    assert (first_outcome, second_outcome) == ([200], [200])
    assert totango.held == 0


def test_a_refused_request_is_not_held_and_reset_drops_held_ones(totango: FakeTotango):
    totango.hold()
    refused, refused_outcome = search_in_thread(totango, token="wrong-token")
    refused.join()
    held, held_outcome = search_in_thread(totango)
    totango.wait_until_held(1)

    totango.reset()
    held.join()

    assert refused_outcome == [401]
    assert held_outcome == ["RemoteProtocolError"]
    assert totango.held == 0
    # After a reset requests are answered again at once
    with totango_client(totango) as client:
        assert search(client, terms=[]).status_code == 200


# -- Slack -----------------------------------------------------------------------------------


@IGNORE_MISSING_TEXT
def test_slack_post_message_via_sdk(slack: FakeSlack):
    client = slack_client(slack)
    first = client.chat_postMessage(channel="#customer-success", text="hello")
    second = client.chat_postMessage(
        channel="C0000000001", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "b"}}]
    )
    assert first["channel"] == "C0000000001"
    assert first["ts"] == "1700000000.000001"
    assert second["ts"] == "1700000000.000002"
    assert first["message"]["subtype"] == "bot_message"
    assert slack.messages[0] == {
        "channel": "C0000000001",
        "text": "hello",
        "blocks": None,
        "thread_ts": None,
        "ts": "1700000000.000001",
    }
    recorded = slack.requests_to("/api/chat.postMessage")[0]
    assert recorded.json["channel"] == "#customer-success"
    assert recorded.headers["authorization"] == f"Bearer {SLACK_TOKEN}"


def test_slack_post_message_form_with_blocks_string(slack: FakeSlack):
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "hi"}}]
    with httpx.Client(headers={"Authorization": f"Bearer {SLACK_TOKEN}"}) as client:
        body = client.post(
            f"{slack.base_url}/api/chat.postMessage",
            data={"channel": "general", "blocks": json.dumps(blocks), "thread_ts": "1.000001"},
        ).json()
    assert body["ok"] is True
    assert slack.messages[0]["blocks"] == blocks
    assert slack.messages[0]["thread_ts"] == "1.000001"


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": "#nowhere", "text": "x"}, "channel_not_found"),
        ({"channel": "old-announcements", "text": "x"}, "is_archived"),
        ({"channel": "sales", "text": "x"}, "not_in_channel"),
        ({"channel": "general"}, "no_text"),
        ({"channel": "general", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "general", "attachments": [{"text": "a"}] * 101}, "too_many_attachments"),
    ],
)
@IGNORE_MISSING_TEXT
def test_slack_post_message_errors(slack: FakeSlack, arguments: dict[str, Any], error: str):
    with pytest.raises(SlackApiError) as caught:
        slack_client(slack).chat_postMessage(**arguments)
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error
    assert slack.messages == []


def test_slack_fail_message_number_and_fail_channel(slack: FakeSlack):
    slack.fail_message_number = 3
    client = slack_client(slack)
    outcomes = []
    for n in range(1, 5):
        try:
            outcomes.append(client.chat_postMessage(channel="general", text=str(n))["ok"])
        except SlackApiError as exc:
            outcomes.append(exc.response["error"])
    assert outcomes == [True, True, "channel_not_found", True]
    assert [m["text"] for m in slack.messages] == ["1", "2", "4"]
    assert slack.messages[-1]["ts"] == "1700000000.000003"

    slack.fail_channel = "customer-success"
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="C0000000001", text="x")


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("xoxb-unknown", "invalid_auth"),
        (SLACK_TOKEN + "-bad", "invalid_auth"),
        (SLACK_TOKEN + "-fatal", "fatal_error"),
        (SLACK_TOKEN + "-revoked", "token_revoked"),
        (None, "not_authed"),
    ],
)
def test_slack_auth_failures_are_http_200(slack: FakeSlack, token: str | None, error: str):
    with pytest.raises(SlackApiError) as caught:
        slack_client(slack, token).chat_postMessage(channel="general", text="x")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error


def test_slack_ratelimited_once_is_retried_by_sdk_handler(slack: FakeSlack):
    client = slack_client(slack, SLACK_TOKEN + "-ratelimited-once")
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    assert client.chat_postMessage(channel="general", text="after retry")["ok"] is True
    assert len(slack.requests_to("/api/chat.postMessage")) == 2
    assert len(slack.messages) == 1

    with pytest.raises(SlackApiError) as caught:
        slack_client(slack, SLACK_TOKEN + "-ratelimited").auth_test()
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] in ("0", ["0"])
    assert caught.value.response["error"] == "ratelimited"


def test_slack_conversations_list_cursor_paging(slack: FakeSlack):
    slack.seed_channels(250)
    client = slack_client(slack)
    seen, cursor, pages = [], None, 0
    while True:
        page = client.conversations_list(limit=100, cursor=cursor, exclude_archived=True)
        seen += [channel["id"] for channel in page["channels"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 248  # minus the archived and the private channel
    private = client.conversations_list(types="private_channel")["channels"]
    assert [channel["name"] for channel in private] == ["cs-leadership"]


def test_slack_lookup_by_email_and_auth_test(slack: FakeSlack):
    client = slack_client(slack)
    user = client.users_lookupByEmail(email="User0002@example.com")["user"]
    assert (user["id"], user["profile"]["email"]) == ("U0000000002", "user0002@example.com")
    with pytest.raises(SlackApiError, match="users_not_found"):
        client.users_lookupByEmail(email="nobody@example.com")
    identity = client.auth_test().data
    assert {"ok", "url", "team", "user", "team_id", "user_id", "bot_id"} <= set(identity)


def test_cli_serves_until_terminated():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes", "slack", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip() if process.stdout else ""
        response = httpx.post(
            f"{base_url}/api/auth.test", headers={"Authorization": f"Bearer {SLACK_TOKEN}"}
        )
        assert response.json()["ok"] is True
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
