"""Totango operations: each a function of (context, validated inputs) returning JSON."""

from __future__ import annotations

import json
from typing import Any

from connectors.endpoint import call_json, endpoint_operation, unexpected_answer
from connectors.errors import InputError
from connectors.schema import (
    array,
    boolean,
    choice,
    fetch_all_pages,
    identifier,
    input_object,
    integer,
    item,
    obj,
    output_object,
    page_size,
    string,
)
from connectors.sdk import Operation, OperationContext

# Totango serves at most this many records of one search, however it is paged.
SEARCH_RECORD_LIMIT = 10_000
SEARCH_PAGE_SIZE_MAX = 1000
# The events search filter Totango documents for touchpoints (notes) among all events.
TOUCHPOINT_EVENTS_TERM = {"type": "event_property", "name": "event_type", "eq": "note"}

ACCOUNT_ID = identifier("Account ID", "The account's id in Totango (its 'name' in search results).")


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


def search_results(
    context: OperationContext, endpoint: str, result_key: str, form: dict[str, str]
) -> dict[str, Any]:
    """One page of a search: `{"total_hits", "hits"}` from `response.<result_key>`."""
    http, what = context.http, f"the {result_key} search"
    body = call_json(http, "POST", endpoint, what=what, data=form)
    try:
        results = body["response"][result_key]
        return {"total_hits": int(results["total_hits"]), "hits": list(results["hits"])}
    except (KeyError, TypeError, ValueError):
        raise unexpected_answer(http, what) from None


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


NAME_ONLY = {"name": {"type": "string"}, "display_name": {"type": "string"}}
HIT_SCHEMA = item(
    {
        "name": string("Name", "The account or user id."),
        "display_name": string("Display name"),
        "selected_fields": array(
            "Selected fields", "The values of the query's fields, in their order."
        ),
        "account": obj("Account", NAME_ONLY, "Users only: the user's account."),
    }
)

SEARCH_DATA_RAW = Operation(
    key="search_data_raw",
    title="Search data raw",
    description="Search for accounts or users matching a criteria, with the query the Totango "
    "UI's 'Generate API endpoint' gives.",
    input_schema=input_object(
        {
            "data_type": choice(
                "Data to search", {"accounts": "Accounts", "users": "Users"}, default="accounts"
            ),
            "query": string(
                "Search query string",
                "In Totango: the segment's three dots → Generate API endpoint; paste the query. "
                "It must contain the 'terms' array.",
                min_length=1,
            ),
            "fetch_all_pages": fetch_all_pages(
                "Follow the pages up to Totango's 10,000-record limit."
            ),
        },
        required=["data_type", "query"],
    ),
    output_schema=output_object(
        {"total_hits": integer("Total hits"), "hits": array("Hits", items=HIT_SCHEMA)}
    ),
    run=run_search_data_raw,
    # A read: safe to run again after a lost worker.
    repeatable=True,
)


# --- Touchpoints -----------------------------------------------------------------------------

# The touchpoint fields a step may set; keys are ours, the values of VENDOR_FIELD_NAMES Totango's.
TOUCHPOINT_FIELDS: dict[str, Any] = {
    "account_id": ACCOUNT_ID,
    "content": string(
        "Content",
        "Plain text, up to 12,000 characters: Totango refuses HTML.",
        min_length=1,
        max_length=12_000,
    ),
    "subject": string("Subject"),
    "activity_type_id": string(
        "Activity type", "The id of a flow, from List activity types (e.g. onboarding)."
    ),
    "touchpoint_type": string(
        "Touchpoint type", "The id of a type, from List touchpoint types (e.g. call)."
    ),
    "touchpoint_tags": array(
        "Tags", "Tag ids, from List touchpoint tags.", items={"type": "string"}
    ),
    "created_by": string("Created by", "The email of the person shown as the touchpoint's author."),
    "create_date": integer(
        "Date", "When it happened, in epoch milliseconds; now when left empty.", minimum=0
    ),
    "disable_sync": boolean(
        "Disable sync", "Keep this touchpoint out of the sync to Salesforce and other systems."
    ),
}
VENDOR_FIELD_NAMES = {"touchpoint_type": "touchpointType"}

NOTE_OUTPUT_SCHEMA = output_object(
    {
        "note": obj(
            "Touchpoint",
            {
                "id": string("Touchpoint ID"),
                **{
                    VENDOR_FIELD_NAMES.get(name, name): {
                        key: value for key, value in schema.items() if key in ("type", "title")
                    }
                    for name, schema in TOUCHPOINT_FIELDS.items()
                },
            },
            required=["id"],
        )
    }
)


def touchpoint_body(inputs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Totango takes: only the fields given, under Totango's names."""
    return {
        VENDOR_FIELD_NAMES.get(name, name): inputs[name]
        for name in TOUCHPOINT_FIELDS
        if inputs.get(name) is not None
    }


def touchpoint_changes(inputs: dict[str, Any]) -> dict[str, Any]:
    body = touchpoint_body(inputs)
    if not body:
        raise InputError("Update touchpoint needs at least one field to change.")
    return {"json": body}


CREATE_TOUCHPOINT = endpoint_operation(
    key="create_touchpoint",
    title="Create touchpoint",
    description="Add a touchpoint (a note of a call, a meeting, an email…) to an account.",
    method="POST",
    endpoint="/api/v3/touchpoints/",
    request=lambda inputs: {"json": touchpoint_body(inputs)},
    input_schema=input_object(TOUCHPOINT_FIELDS, required=["account_id", "content"]),
    output_schema=NOTE_OUTPUT_SCHEMA,
    pick="note",
)

UPDATE_TOUCHPOINT = endpoint_operation(
    key="update_touchpoint",
    title="Update touchpoint",
    description="Change the fields of an existing touchpoint; the fields left empty keep "
    "their value.",
    # *assumed* (the contract names only the create endpoint): PUT on the touchpoint's path.
    method="PUT",
    endpoint="/api/v3/touchpoints/{touchpoint_id}",
    request=touchpoint_changes,
    input_schema=input_object(
        {
            "touchpoint_id": identifier(
                "Touchpoint ID", "The id Create touchpoint or List touchpoints gave."
            ),
            **TOUCHPOINT_FIELDS,
        },
        required=["touchpoint_id"],
    ),
    output_schema=NOTE_OUTPUT_SCHEMA,
    pick="note",
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


TOUCHPOINT_EVENT_SCHEMA = item(
    {
        "id": string("Event ID"),
        "type": string("Type"),
        "timestamp": integer("Timestamp (epoch ms)"),
        "account": obj("Account", {"id": {"type": "string"}, "display_name": {"type": "string"}}),
        "note_content": obj("Note", {"note_id": string("Touchpoint ID"), "text": string("Text")})
        | {"type": ["object", "null"]},
        "properties": obj("Properties"),
    }
)

LIST_TOUCHPOINTS = Operation(
    key="list_touchpoints",
    title="List touchpoints",
    description="The touchpoints of all accounts or of one, newest first, a page at a time "
    "(Totango's events search).",
    input_schema=input_object(
        {
            "account_id": string(
                "Account ID", "Only this account's touchpoints; all accounts when empty."
            ),
            "count": page_size(maximum=SEARCH_PAGE_SIZE_MAX, default=100),
            "page": integer("Page", "The page to fetch, from 0.", minimum=0, default=0),
            "fetch_all_pages": fetch_all_pages(
                "Follow the pages from Page on, up to 10,000 touchpoints."
            ),
        }
    ),
    output_schema=output_object(
        {
            "total_hits": integer("Total hits"),
            "touchpoints": array("Touchpoints", items=TOUCHPOINT_EVENT_SCHEMA),
        }
    ),
    run=run_list_touchpoints,
    # A read: safe to run again after a lost worker.
    repeatable=True,
)


# --- Accounts and lookups --------------------------------------------------------------------

GET_ACCOUNT = endpoint_operation(
    key="get_account",
    title="Get account",
    description="An account's status, health, attributes and tags.",
    method="GET",
    endpoint="/api/v2/accounts/{account_id}/",
    input_schema=input_object({"account_id": ACCOUNT_ID}, required=["account_id"]),
    output_schema=output_object(
        {
            "account": obj(
                "Account",
                {
                    "status": string("Status"),
                    "status_group": string("Status group"),
                    "health": obj("Health", {"curr": string("Current health")}),
                    "attributes": obj("Attributes"),
                    "tags": array("Tags", items={"type": "string"}),
                },
            )
        }
    ),
    pick="account",
    # A read: safe to run again after a lost worker.
    repeatable=True,
)


def lookup_list_operation(*, key: str, title: str, endpoint: str, output_key: str) -> Operation:
    """List activity types and its kin: one GET returning the `{id, display_name}` of each."""
    noun = title.removeprefix("List ")
    listed = item({"id": string("ID"), "display_name": string("Display name")})
    # *assumed* shape (the contract names the endpoints only): a bare JSON array.
    return endpoint_operation(
        key=key,
        title=title,
        description=f"The {noun} of your Totango account, with the id each is set by.",
        method="GET",
        endpoint=endpoint,
        input_schema=input_object({}),
        output_schema=output_object({output_key: array(noun.capitalize(), items=listed)}),
        repeatable=True,
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
