"""Totango operations: each a function of (context, validated inputs) returning JSON."""

from __future__ import annotations

import json
from typing import Any

from connectors.errors import InputError, TerminalError
from connectors.sdk import Operation, OperationContext

# Totango serves at most this many records of one search, however it is paged.
SEARCH_RECORD_LIMIT = 10_000
SEARCH_PAGE_SIZE_MAX = 1000


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


def search_page(context: OperationContext, data_type: str, query: dict[str, Any]) -> dict[str, Any]:
    response = context.http.request(
        "POST", f"/api/v1/search/{data_type}", data={"query": json.dumps(query)}
    )
    try:
        return response.json()["response"][data_type]
    except (ValueError, KeyError, TypeError):
        raise TerminalError(
            f"Totango answered the {data_type} search with an unexpected body."
        ) from None


def run_search_data_raw(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    data_type = inputs["data_type"]
    query = parse_search_query(inputs["query"])
    page = search_page(context, data_type, query)
    total_hits, hits = page["total_hits"], list(page["hits"])
    if inputs.get("fetch_all_pages"):
        count = query.get("count", SEARCH_PAGE_SIZE_MAX)
        offset = query.get("offset", 0)
        while offset + count < total_hits and offset + 2 * count <= SEARCH_RECORD_LIMIT:
            offset += count
            page = search_page(context, data_type, {**query, "offset": offset, "count": count})
            if not page["hits"]:
                break
            hits.extend(page["hits"])
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
