"""Each Totango operation through the worker: the exact request Totango receives, the exact output."""

from __future__ import annotations

import json

import pytest

from tests.connectors.harness import full_step_run, step_run, vendor_headers
from tests.fakes.totango import ACTIVITY_TYPES, TOUCHPOINT_TAGS, TOUCHPOINT_TYPES
from tests.helpers import (
    TOTANGO_TOKEN,
    all_step_runs,
    run_workflow,
    single_step_definition,
    string,
    totango_authentication,
    typed,
)

pytestmark = pytest.mark.django_db(transaction=True)

FORM_HEADERS = {
    "accept": "application/json",
    "app-token": TOTANGO_TOKEN,
    "content-type": "application/x-www-form-urlencoded",
}
JSON_HEADERS = {**FORM_HEADERS, "content-type": "application/json"}
GET_HEADERS = {"accept": "application/json", "app-token": TOTANGO_TOKEN}


def run_totango(api, fake_totango, operation, properties):
    definition = single_step_definition(
        "totango", operation, properties, authentication=totango_authentication(api, fake_totango)
    )
    run = run_workflow(api, definition)
    assert run["status"] == "succeeded", run
    return full_step_run(api, run["id"], "totango-1")["output"]


@pytest.mark.exercises("totango", "search_data_raw")
def test_search_data_raw_sends_the_query_as_given_and_returns_the_hits(
    api, celery_worker, fake_totango
):
    # Given six users, two of them admins
    fake_totango.seed_users(6)
    query = (
        '{"terms": [{"type": "string_attribute", "attribute": "Role", "eq": "Admin"}], '
        '"fields": [{"type": "string_attribute", "attribute": "Email", '
        '"field_display_name": "Email"}], "count": 1000}'
    )

    # When the users are searched
    output = run_totango(
        api,
        fake_totango,
        "search_data_raw",
        {"data_type": string("users"), "query": string(query)},
    )

    # Then Totango received the query unchanged in the form field `query`
    [request] = fake_totango.requests
    assert (request.method, request.path) == ("POST", "/api/v1/search/users")
    assert vendor_headers(request) == FORM_HEADERS
    assert request.form == {"query": query}
    assert output == {
        "total_hits": 2,
        "hits": [
            {
                "name": "user-0001",
                "display_name": "User 0001",
                "selected_fields": ["user0001@example.com"],
                "account": {"name": "acc-0001", "display_name": "Account 0001"},
            },
            {
                "name": "user-0004",
                "display_name": "User 0004",
                "selected_fields": ["user0004@example.com"],
                "account": {"name": "acc-0004", "display_name": "Account 0004"},
            },
        ],
    }


@pytest.mark.exercises("totango", "search_data_raw")
def test_fetch_every_page_moves_the_offset_by_count_until_total_hits(
    api, celery_worker, fake_totango
):
    output = run_totango(
        api,
        fake_totango,
        "search_data_raw",
        {
            "data_type": string("accounts"),
            "query": string('{"terms": [], "fields": [], "count": 10}'),
            "fetch_all_pages": {"type": "boolean", "value": True},
        },
    )

    searches = fake_totango.requests_to("/api/v1/search/accounts")
    assert [json.loads(search.form["query"]) for search in searches] == [
        {"terms": [], "fields": [], "count": 10},
        {"terms": [], "fields": [], "count": 10, "offset": 10},
        {"terms": [], "fields": [], "count": 10, "offset": 20},
    ]
    assert output["total_hits"] == 25
    assert [hit["name"] for hit in output["hits"]] == [f"acc-{n:04d}" for n in range(1, 26)]


@pytest.mark.exercises("totango", "search_data_raw")
def test_fetch_every_page_stops_at_the_10000_record_limit_with_a_short_last_page(
    api, celery_worker, fake_totango
):
    # Given more accounts than Totango lets a search reach
    fake_totango.seed_accounts(10_500)

    output = run_totango(
        api,
        fake_totango,
        "search_data_raw",
        {
            "data_type": string("accounts"),
            "query": string('{"terms": [], "fields": [], "count": 1000, "offset": 8500}'),
            "fetch_all_pages": {"type": "boolean", "value": True},
        },
    )

    queries = [
        json.loads(search.form["query"])
        for search in fake_totango.requests_to("/api/v1/search/accounts")
    ]
    assert [(query["offset"], query["count"]) for query in queries] == [(8500, 1000), (9500, 500)]
    assert output["total_hits"] == 10_500
    # Totango sorts by display name: records 8,500 to 9,999 of that order, none past it
    by_name = sorted(fake_totango.accounts, key=lambda account: account["display_name"])
    assert [hit["name"] for hit in output["hits"]] == [a["name"] for a in by_name[8500:10_000]]


TOUCHPOINT = {
    "account_id": "acc-0002",
    "content": "Quarterly review: renewal on track.",
    "subject": "QBR",
    "activity_type_id": "renewal",
    "touchpoint_type": "meeting",
    "touchpoint_tags": ["tag-0001", "tag-0003"],
    "created_by": "ada@example.com",
    "create_date": 1_700_000_000_000,
    "disable_sync": True,
}


@pytest.mark.exercises("totango", "create_touchpoint")
def test_create_touchpoint_posts_every_field_as_json(api, celery_worker, fake_totango):
    output = run_totango(
        api,
        fake_totango,
        "create_touchpoint",
        {name: typed(value) for name, value in TOUCHPOINT.items()},
    )

    [request] = fake_totango.requests
    assert (request.method, request.path) == ("POST", "/api/v3/touchpoints/")
    assert vendor_headers(request) == JSON_HEADERS
    vendor_fields = {
        "account_id": "acc-0002",
        "content": "Quarterly review: renewal on track.",
        "subject": "QBR",
        "activity_type_id": "renewal",
        "touchpointType": "meeting",
        "touchpoint_tags": ["tag-0001", "tag-0003"],
        "created_by": "ada@example.com",
        "create_date": 1_700_000_000_000,
        "disable_sync": True,
    }
    assert request.json == vendor_fields
    assert output == {"note": {"id": "tp-000001", **vendor_fields}}


@pytest.mark.exercises("totango", "update_touchpoint")
def test_update_touchpoint_puts_only_the_fields_given(api, celery_worker, fake_totango):
    # Given a workflow that creates a touchpoint, then corrects its content
    definition = single_step_definition(
        "totango",
        "create_touchpoint",
        {
            "account_id": string("acc-0003"),
            "content": string("Call notes"),
            "create_date": typed(1_700_000_000_000),
        },
        authentication=totango_authentication(api, fake_totango),
    )
    definition["steps_structure"].append({"name": "totango-2", "type": "normal"})
    definition["steps"]["totango-2"] = {
        "connector": "totango",
        "operation": "update_touchpoint",
        "authentication": definition["steps"]["totango-1"]["authentication"],
        "properties": {
            "touchpoint_id": {"type": "jsonpath", "value": "$.steps.totango-1.note.id"},
            "content": string("Call notes: renewal confirmed"),
            "touchpoint_tags": typed(["tag-0002"]),
        },
    }

    run = run_workflow(api, definition)

    assert run["status"] == "succeeded", run
    [_, update] = fake_totango.requests
    assert (update.method, update.path) == ("PUT", "/api/v3/touchpoints/tp-000001")
    assert vendor_headers(update) == JSON_HEADERS
    assert update.json == {
        "content": "Call notes: renewal confirmed",
        "touchpoint_tags": ["tag-0002"],
    }
    assert step_run(all_step_runs(api, run["id"]), "totango-2")["output"] == {
        "note": {
            "id": "tp-000001",
            "account_id": "acc-0003",
            "content": "Call notes: renewal confirmed",
            "create_date": 1_700_000_000_000,
            "touchpoint_tags": ["tag-0002"],
        }
    }


@pytest.mark.exercises("totango", "list_touchpoints")
def test_list_touchpoints_searches_note_events_page_by_page(api, celery_worker, fake_totango):
    # When one account's touchpoints are listed a page of one event at a time
    output = run_totango(
        api,
        fake_totango,
        "list_touchpoints",
        {
            "account_id": string("acc-0002"),
            "count": typed(1),
            "fetch_all_pages": typed(True),
        },
    )

    # Then Totango received the documented note filter, with offset counting pages
    searches = fake_totango.requests
    assert [(search.method, search.path) for search in searches] == [
        ("POST", "/api/v2/events/search"),
        ("POST", "/api/v2/events/search"),
    ]
    assert all(vendor_headers(search) == FORM_HEADERS for search in searches)
    note_term = {"type": "event_property", "name": "event_type", "eq": "note"}
    assert [search.form for search in searches] == [
        {
            "query": json.dumps({"terms": [note_term], "fields": [], "count": 1, "offset": page}),
            "account_id": "acc-0002",
        }
        for page in (0, 1)
    ]
    # And only the note comes back: the fake ignores terms and also answers an alert event
    assert output == {
        "total_hits": 2,
        "touchpoints": [
            {
                "id": "ev-acc-0002-1",
                "type": "note",
                "timestamp": 1_700_000_000_000 + 2 * 10 * 3_600_000,
                "account": {"id": "acc-0002", "display_name": "Account 0002"},
                "note_content": {
                    "note_id": "seed-note-0002",
                    "text": "Kickoff call with Account 0002",
                },
                "properties": {"subject": "Kickoff", "activity_type_id": "onboarding"},
            }
        ],
    }


@pytest.mark.exercises("totango", "get_account")
def test_get_account_returns_status_health_attributes_and_tags(api, celery_worker, fake_totango):
    output = run_totango(api, fake_totango, "get_account", {"account_id": string("acc-0003")})

    [request] = fake_totango.requests
    assert (request.method, request.path, request.body) == (
        "GET",
        "/api/v2/accounts/acc-0003/",
        b"",
    )
    assert vendor_headers(request) == GET_HEADERS
    assert output == {
        "account": {
            "status": "Paying",
            "status_group": "paying",
            "health": {"curr": "red"},
            "attributes": {
                "Account Name": "Account 0003",
                "Health": "red",
                "Status Group": "paying",
                "Account Owner": "owner3@example.com",
                "Region": "APAC",
                "Contract Value": 3000,
                "Renewal Date": "2025-03-01",
            },
            "tags": ["seeded"],
        }
    }


def test_get_account_of_an_unknown_account_fails_with_totangos_words(
    api, celery_worker, fake_totango
):
    definition = single_step_definition(
        "totango",
        "get_account",
        {"account_id": string("acc-9999")},
        authentication=totango_authentication(api, fake_totango),
    )

    run = run_workflow(api, definition)

    assert run["status"] == "failed"
    assert run["error"] == "Totango answered HTTP 404: account not found"


@pytest.mark.parametrize(
    ("operation", "path", "output_key", "expected"),
    [
        pytest.param(
            "list_activity_types",
            "/api/v3/activity-types/",
            "activity_types",
            ACTIVITY_TYPES,
            marks=pytest.mark.exercises("totango", "list_activity_types"),
        ),
        pytest.param(
            "list_touchpoint_types",
            "/api/v3/touchpoint-types/",
            "touchpoint_types",
            TOUCHPOINT_TYPES,
            marks=pytest.mark.exercises("totango", "list_touchpoint_types"),
        ),
        pytest.param(
            "list_touchpoint_tags",
            "/api/v3/touchpoint-tags/",
            "touchpoint_tags",
            TOUCHPOINT_TAGS,
            marks=pytest.mark.exercises("totango", "list_touchpoint_tags"),
        ),
    ],
)
def test_lookup_lists_get_their_endpoint(
    api, celery_worker, fake_totango, operation, path, output_key, expected
):
    output = run_totango(api, fake_totango, operation, {})

    [request] = fake_totango.requests
    assert (request.method, request.path, request.body) == ("GET", path, b"")
    assert vendor_headers(request) == GET_HEADERS
    assert output == {output_key: expected}


@pytest.mark.exercises("totango", "raw_http_request")
def test_raw_http_request_gets_any_endpoint_with_query_and_headers(
    api, celery_worker, fake_totango
):
    output = run_totango(
        api,
        fake_totango,
        "raw_http_request",
        {
            "method": string("GET"),
            "endpoint": string("api/v3/touchpoint-tags/"),
            "query_parameters": {"type": "object", "value": {"page": typed(2)}},
            "headers": {"type": "object", "value": {"X-Request-Id": string("req-1")}},
        },
    )

    [request] = fake_totango.requests
    assert (request.method, request.path, request.query) == (
        "GET",
        "/api/v3/touchpoint-tags/",
        {"page": ["2"]},
    )
    assert vendor_headers(request) == {**GET_HEADERS, "x-request-id": "req-1"}
    response = output["response"]
    assert (response["status_code"], response["body"]) == (200, TOUCHPOINT_TAGS)
    assert response["headers"]["content-type"] == "application/json; charset=utf-8"
