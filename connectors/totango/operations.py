"""Totango operations: each a function of (context, validated inputs) returning JSON."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from connectors.errors import InputError, TerminalError
from connectors.sdk import Operation, OperationContext

# Totango serves at most this many records of one search, however it is paged.
SEARCH_RECORD_LIMIT = 10_000
SEARCH_PAGE_SIZE_MAX = 1000
# The events search filter Totango documents for touchpoints (notes) among all events.
TOUCHPOINT_EVENTS_TERM = {"type": "event_property", "name": "event_type", "eq": "note"}


def parse_search_query(raw: str) -> dict[str, Any]:
    """The query as the Totango UI's "Generate API endpoint" gives it, checked before sending.

    Totango answers a query without `terms` with an unhelpful 401, so it is refused here.
    """
    try:
        query = json.loads(raw)
    except ValueError as error:
        raise InputError(f"Search query string is not valid JSON: {error}.") from None
    if not isinstance(query, dict):
        raise InputError('Search query string must be a JSON object such as {"terms": []}.')
    if not isinstance(query.get("terms"), list):
        raise InputError(
            "Search query string must contain a 'terms' array (it may be empty, as in "
            '{"terms": [], "fields": [], "count": 1000}); Totango refuses a query without it.'
        )
    count = query.get("count", SEARCH_PAGE_SIZE_MAX)
    offset = query.get("offset", 0)
    if not isinstance(count, int) or not 1 <= count <= SEARCH_PAGE_SIZE_MAX:
        raise InputError(
            f"Search query 'count' must be a whole number from 1 to 1000, not {count!r}."
        )
    if not isinstance(offset, int) or offset < 0:
        raise InputError(f"Search query 'offset' must be a whole number from 0, not {offset!r}.")
    if offset + count > SEARCH_RECORD_LIMIT:
        raise InputError(
            "Search query 'offset' + 'count' must not pass Totango's 10,000-record limit."
        )
    return query


def json_body(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise TerminalError(f"Totango answered {what} with a body that is not JSON.") from None


def search_results(
    context: OperationContext, endpoint: str, result_key: str, form: dict[str, str]
) -> dict[str, Any]:
    """One page of a search: `{"total_hits", "hits"}` from `response.<result_key>`."""
    body = json_body(context.http.request("POST", endpoint, data=form), f"the {result_key} search")
    try:
        results = body["response"][result_key]
        return {"total_hits": int(results["total_hits"]), "hits": list(results["hits"])}
    except (KeyError, TypeError, ValueError):
        raise TerminalError(
            f"Totango answered the {result_key} search with an unexpected body."
        ) from None


def run_search_data_raw(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    data_type = inputs["data_type"]
    endpoint = f"/api/v1/search/{data_type}"
    query = parse_search_query(inputs["query"])
    # The first page is the query exactly as given; the following ones move its offset on.
    page = search_results(context, endpoint, data_type, {"query": json.dumps(query)})
    total_hits, hits = page["total_hits"], page["hits"]
    if inputs.get("fetch_all_pages"):
        count = query.get("count", SEARCH_PAGE_SIZE_MAX)
        offset = query.get("offset", 0) + count
        while offset < min(total_hits, SEARCH_RECORD_LIMIT):
            # The last reachable page may be short: offset + count may not pass the limit.
            page_query = {
                **query,
                "offset": offset,
                "count": min(count, SEARCH_RECORD_LIMIT - offset),
            }
            page = search_results(context, endpoint, data_type, {"query": json.dumps(page_query)})
            if not page["hits"]:
                break
            hits.extend(page["hits"])
            offset += count
    return {"total_hits": total_hits, "hits": hits}


HIT_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name", "description": "The account or user id."},
        "display_name": {"type": "string", "title": "Display name"},
        "selected_fields": {
            "type": "array",
            "title": "Selected fields",
            "description": "The values of the query's fields, in their order.",
        },
        "account": {
            "type": "object",
            "title": "Account",
            "description": "Users only: the user's account.",
            "properties": {"name": {"type": "string"}, "display_name": {"type": "string"}},
        },
    },
}

SEARCH_DATA_RAW = Operation(
    key="search_data_raw",
    title="Search data raw",
    description="Search for accounts or users matching a criteria, with the query the Totango "
    "UI's 'Generate API endpoint' gives.",
    input_schema={
        "type": "object",
        "required": ["data_type", "query"],
        "additionalProperties": False,
        "properties": {
            "data_type": {
                "type": "string",
                "title": "Data to search",
                "enum": ["accounts", "users"],
                "enumNames": ["Accounts", "Users"],
                "default": "accounts",
            },
            "query": {
                "type": "string",
                "title": "Search query string",
                "description": "In Totango: the segment's three dots → Generate API endpoint; "
                "paste the query. It must contain the 'terms' array.",
                "minLength": 1,
            },
            "fetch_all_pages": {
                "type": "boolean",
                "title": "Fetch every page",
                "description": "Follow the pages up to Totango's 10,000-record limit.",
                "default": False,
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["total_hits", "hits"],
        "properties": {
            "total_hits": {"type": "integer", "title": "Total hits"},
            "hits": {"type": "array", "title": "Hits", "items": HIT_SCHEMA},
        },
    },
    run=run_search_data_raw,
)


# --- Touchpoints -----------------------------------------------------------------------------

# The touchpoint fields a step may set; keys are ours, the values of VENDOR_FIELD_NAMES Totango's.
TOUCHPOINT_FIELDS: dict[str, Any] = {
    "account_id": {
        "type": "string",
        "title": "Account ID",
        "description": "The account's id in Totango (its 'name' in search results).",
        "minLength": 1,
    },
    "content": {
        "type": "string",
        "title": "Content",
        "description": "Plain text, up to 12,000 characters: Totango refuses HTML.",
        "minLength": 1,
        "maxLength": 12_000,
    },
    "subject": {"type": "string", "title": "Subject"},
    "activity_type_id": {
        "type": "string",
        "title": "Activity type",
        "description": "The id of a flow, from List activity types (e.g. onboarding).",
    },
    "touchpoint_type": {
        "type": "string",
        "title": "Touchpoint type",
        "description": "The id of a type, from List touchpoint types (e.g. call).",
    },
    "touchpoint_tags": {
        "type": "array",
        "title": "Tags",
        "description": "Tag ids, from List touchpoint tags.",
        "items": {"type": "string"},
    },
    "created_by": {
        "type": "string",
        "title": "Created by",
        "description": "The email of the person shown as the touchpoint's author.",
    },
    "create_date": {
        "type": "integer",
        "title": "Date",
        "description": "When it happened, in epoch milliseconds; now when left empty.",
        "minimum": 0,
    },
    "disable_sync": {
        "type": "boolean",
        "title": "Disable sync",
        "description": "Keep this touchpoint out of the sync to Salesforce and other systems.",
    },
}
VENDOR_FIELD_NAMES = {"touchpoint_type": "touchpointType"}

NOTE_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["note"],
    "properties": {
        "note": {
            "type": "object",
            "title": "Touchpoint",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "title": "Touchpoint ID"},
                **{
                    VENDOR_FIELD_NAMES.get(name, name): {
                        key: value for key, value in schema.items() if key in ("type", "title")
                    }
                    for name, schema in TOUCHPOINT_FIELDS.items()
                },
            },
        }
    },
}


def touchpoint_body(inputs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Totango takes: only the fields given, under Totango's names."""
    return {
        VENDOR_FIELD_NAMES.get(name, name): inputs[name]
        for name in TOUCHPOINT_FIELDS
        if inputs.get(name) is not None
    }


def note_of(response: httpx.Response) -> dict[str, Any]:
    body = json_body(response, "the touchpoint")
    if not isinstance(body, dict) or not isinstance(body.get("note"), dict):
        raise TerminalError("Totango answered the touchpoint with an unexpected body.")
    return {"note": body["note"]}


def run_create_touchpoint(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return note_of(
        context.http.request("POST", "/api/v3/touchpoints/", json=touchpoint_body(inputs))
    )


def run_update_touchpoint(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    body = touchpoint_body(inputs)
    if not body:
        raise InputError("Update touchpoint needs at least one field to change.")
    # *assumed* (the contract names only the create endpoint): PUT on the touchpoint's path.
    endpoint = f"/api/v3/touchpoints/{quote(inputs['touchpoint_id'], safe='')}"
    return note_of(context.http.request("PUT", endpoint, json=body))


CREATE_TOUCHPOINT = Operation(
    key="create_touchpoint",
    title="Create touchpoint",
    description="Add a touchpoint (a note of a call, a meeting, an email…) to an account.",
    input_schema={
        "type": "object",
        "required": ["account_id", "content"],
        "additionalProperties": False,
        "properties": TOUCHPOINT_FIELDS,
    },
    output_schema=NOTE_OUTPUT_SCHEMA,
    run=run_create_touchpoint,
)

UPDATE_TOUCHPOINT = Operation(
    key="update_touchpoint",
    title="Update touchpoint",
    description="Change the fields of an existing touchpoint; the fields left empty keep "
    "their value.",
    input_schema={
        "type": "object",
        "required": ["touchpoint_id"],
        "additionalProperties": False,
        "properties": {
            "touchpoint_id": {
                "type": "string",
                "title": "Touchpoint ID",
                "description": "The id Create touchpoint or List touchpoints gave.",
                "minLength": 1,
            },
            **TOUCHPOINT_FIELDS,
        },
    },
    output_schema=NOTE_OUTPUT_SCHEMA,
    run=run_update_touchpoint,
)


def run_list_touchpoints(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    count, page_number = inputs.get("count", 100), inputs.get("page", 0)

    def fetch(page: int) -> dict[str, Any]:
        # Events search counts its offset in pages, not records.
        query = {"terms": [TOUCHPOINT_EVENTS_TERM], "fields": [], "count": count, "offset": page}
        form = {"query": json.dumps(query)}
        if inputs.get("account_id"):
            form["account_id"] = inputs["account_id"]
        return search_results(context, "/api/v2/events/search", "events", form)

    results = fetch(page_number)
    total_hits, events = results["total_hits"], results["hits"]
    if inputs.get("fetch_all_pages"):
        reachable = min(total_hits, SEARCH_RECORD_LIMIT)
        while results["hits"] and (page_number + 1) * count < reachable:
            page_number += 1
            results = fetch(page_number)
            events.extend(results["hits"])
    # The term asks Totango for notes only; other events are dropped should any come back.
    return {
        "total_hits": total_hits,
        "touchpoints": [event for event in events if event.get("type") == "note"],
    }


LIST_TOUCHPOINTS = Operation(
    key="list_touchpoints",
    title="List touchpoints",
    description="The touchpoints of all accounts or of one, newest first, a page at a time "
    "(Totango's events search).",
    input_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "account_id": {
                "type": "string",
                "title": "Account ID",
                "description": "Only this account's touchpoints; all accounts when empty.",
            },
            "count": {
                "type": "integer",
                "title": "Page size",
                "minimum": 1,
                "maximum": SEARCH_PAGE_SIZE_MAX,
                "default": 100,
            },
            "page": {
                "type": "integer",
                "title": "Page",
                "description": "The page to fetch, from 0.",
                "minimum": 0,
                "default": 0,
            },
            "fetch_all_pages": {
                "type": "boolean",
                "title": "Fetch every page",
                "description": "Follow the pages from Page on, up to 10,000 touchpoints.",
                "default": False,
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["total_hits", "touchpoints"],
        "properties": {
            "total_hits": {"type": "integer", "title": "Total hits"},
            "touchpoints": {
                "type": "array",
                "title": "Touchpoints",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "title": "Event ID"},
                        "type": {"type": "string", "title": "Type"},
                        "timestamp": {"type": "integer", "title": "Timestamp (epoch ms)"},
                        "account": {
                            "type": "object",
                            "title": "Account",
                            "properties": {
                                "id": {"type": "string"},
                                "display_name": {"type": "string"},
                            },
                        },
                        "note_content": {
                            "type": ["object", "null"],
                            "title": "Note",
                            "properties": {
                                "note_id": {"type": "string", "title": "Touchpoint ID"},
                                "text": {"type": "string", "title": "Text"},
                            },
                        },
                        "properties": {"type": "object", "title": "Properties"},
                    },
                },
            },
        },
    },
    run=run_list_touchpoints,
)


# --- Accounts and lookups --------------------------------------------------------------------


def run_get_account(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    endpoint = f"/api/v2/accounts/{quote(inputs['account_id'], safe='')}/"
    body = json_body(context.http.request("GET", endpoint), "the account")
    if not isinstance(body, dict) or not isinstance(body.get("account"), dict):
        raise TerminalError("Totango answered the account with an unexpected body.")
    return {"account": body["account"]}


GET_ACCOUNT = Operation(
    key="get_account",
    title="Get account",
    description="An account's status, health, attributes and tags.",
    input_schema={
        "type": "object",
        "required": ["account_id"],
        "additionalProperties": False,
        "properties": {
            "account_id": {
                "type": "string",
                "title": "Account ID",
                "description": "The account's id in Totango (its 'name' in search results).",
                "minLength": 1,
            }
        },
    },
    output_schema={
        "type": "object",
        "required": ["account"],
        "properties": {
            "account": {
                "type": "object",
                "title": "Account",
                "properties": {
                    "status": {"type": "string", "title": "Status"},
                    "status_group": {"type": "string", "title": "Status group"},
                    "health": {
                        "type": "object",
                        "title": "Health",
                        "properties": {"curr": {"type": "string", "title": "Current health"}},
                    },
                    "attributes": {"type": "object", "title": "Attributes"},
                    "tags": {"type": "array", "title": "Tags", "items": {"type": "string"}},
                },
            }
        },
    },
    run=run_get_account,
)


def lookup_list_operation(*, key: str, title: str, endpoint: str, output_key: str) -> Operation:
    """List activity types and its kin: one GET returning the `{id, display_name}` of each."""
    noun = title.removeprefix("List ")

    def run(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
        body = json_body(context.http.request("GET", endpoint), f"the {noun}")
        # *assumed* shape (the contract names the endpoints only): a bare JSON array.
        if not isinstance(body, list):
            raise TerminalError(f"Totango answered the {noun} with an unexpected body.")
        return {output_key: body}

    return Operation(
        key=key,
        title=title,
        description=f"The {noun} of your Totango account, with the id each is set by.",
        input_schema={"type": "object", "additionalProperties": False, "properties": {}},
        output_schema={
            "type": "object",
            "required": [output_key],
            "properties": {
                output_key: {
                    "type": "array",
                    "title": noun.capitalize(),
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "title": "ID"},
                            "display_name": {"type": "string", "title": "Display name"},
                        },
                    },
                }
            },
        },
        run=run,
    )


LIST_ACTIVITY_TYPES = lookup_list_operation(
    key="list_activity_types",
    title="List activity types",
    endpoint="/api/v3/activity-types/",
    output_key="activity_types",
)
LIST_TOUCHPOINT_TYPES = lookup_list_operation(
    key="list_touchpoint_types",
    title="List touchpoint types",
    endpoint="/api/v3/touchpoint-types/",
    output_key="touchpoint_types",
)
LIST_TOUCHPOINT_TAGS = lookup_list_operation(
    key="list_touchpoint_tags",
    title="List touchpoint tags",
    endpoint="/api/v3/touchpoint-tags/",
    output_key="touchpoint_tags",
)
