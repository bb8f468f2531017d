"""Fake Totango API (search, touchpoints, events, accounts) per docs/vendors/vendor-apis.md."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from .server import FakeServer, Fault, RecordedRequest, Response, json_response

SERVICE_ID = "SP-1234-01"
MAX_COUNT = 1000
MAX_REACHABLE_RECORDS = 10_000
MAX_CONTENT_CHARS = 12_000
# Seeded events sit on fixed timestamps so event searches are reproducible.
SEED_EPOCH_MS = 1_700_000_000_000
HOUR_MS = 3_600_000

HEALTH_CYCLE = ("green", "yellow", "red")
STATUS_GROUP_CYCLE = ("paying", "trial", "paying", "churned")
REGION_CYCLE = ("NA", "EMEA", "APAC", "LATAM")
ROLE_CYCLE = ("Admin", "Champion", "User")

# Shapes of the three lookup lists are *assumed* (the contract names the endpoints only):
# a bare JSON array of {"id", "display_name"}.
ACTIVITY_TYPES = [
    {"id": "onboarding", "display_name": "Onboarding"},
    {"id": "adoption", "display_name": "Adoption"},
    {"id": "renewal", "display_name": "Renewal"},
    {"id": "support", "display_name": "Support"},
    {"id": "escalation", "display_name": "Escalation"},
]
TOUCHPOINT_TYPES = [
    {"id": "call", "display_name": "Call"},
    {"id": "email", "display_name": "Email"},
    {"id": "meeting", "display_name": "Meeting"},
    {"id": "note", "display_name": "Note"},
]
TOUCHPOINT_TAGS = [
    {"id": "tag-0001", "display_name": "Executive"},
    {"id": "tag-0002", "display_name": "Risk"},
    {"id": "tag-0003", "display_name": "Expansion"},
]

# A tag needs a letter right after "<", so prose like "a < b" is not mistaken for HTML.
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>")
_TOUCHPOINT_ID_PATH = re.compile(r"^/api/v3/touchpoints/(?P<id>[^/]+)/?$")
_ACCOUNT_PATH = re.compile(r"^/api/v2/accounts/(?P<id>[^/]+)/$")
# Record keys a term, field or sort_by may name besides the free-form attributes.
_CORE_KEYS = ("name", "display_name", "status", "status_group", "health")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# The bodies each endpoint takes (contract): searches and touchpoints a form or JSON, the
# events search a form only; GET endpoints read no body.
FORM_OR_JSON = frozenset({FORM, JSON})
FORM_ONLY = frozenset({FORM})
NO_BODY: frozenset[str] = frozenset()


def _failed(message: str, status: int = 400) -> Response:
    return json_response({"status": "failed", "_error": message}, status)


def _auth_failed(message: str) -> Response:
    # *assumed* shape (contract): 401 {"error": {"type": "authentication_failed", ...}}.
    return json_response({"error": {"type": "authentication_failed", "message": message}}, 401)


def _unsupported_body(request: RecordedRequest, accepted: frozenset[str]) -> Response:
    # *assumed*: the contract names the body types each endpoint takes; any other is refused
    # with 415 and the usual failure body.
    kinds = " or ".join(sorted(accepted)) or "no body"
    return _failed(
        f"{request.content_type or 'a body without a content type'} is not accepted by "
        f"{request.method} {request.path}: send {kinds}",
        415,
    )


def _lookup(record: dict[str, Any], key: Any) -> Any:
    if not isinstance(key, str):
        return None
    if key in _CORE_KEYS and key in record:
        return record[key]
    return record["attributes"].get(key)


def _selected_value(record: dict[str, Any], field: dict[str, Any]) -> Any:
    if field.get("type") == "health":
        return record.get("health")
    for key in (field.get("attribute"), field.get("term"), field.get("field_display_name")):
        value = _lookup(record, key)
        if value is not None:
            return value
    return None


def _matches(record: dict[str, Any], term: dict[str, Any]) -> bool:
    kind = term.get("type")
    if kind == "or":
        return any(_matches(record, sub) for sub in term.get("or", []) if isinstance(sub, dict))
    if kind == "string":
        value = _lookup(record, term.get("term"))
    elif kind == "string_attribute":
        value = _lookup(record, term.get("attribute"))
    else:
        # Other filter types (parent_account, date, number, ...) are not modelled: ignored.
        return True
    if "in_list" in term:
        return isinstance(term["in_list"], list) and value in term["in_list"]
    if "eq" in term:
        return value is not None and str(value) == str(term["eq"])
    return True


def _sort_key(value: Any) -> tuple[int, float, str]:
    # Missing values last; numbers compare as numbers, anything else as text.
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _int_field(query: dict[str, Any], name: str, default: int | None) -> int | Response:
    value = query.get(name, default)
    # Strictness is *assumed*: numeric strings are rejected so connectors send real numbers.
    if isinstance(value, bool) or not isinstance(value, int):
        return _failed(f"{name} must be an integer, got {json.dumps(value)}")
    return value


class FakeTotango(FakeServer):
    """Fake Totango: ``app-token`` auth, account/user search, touchpoints, events, accounts.

    Seeded accounts/users (``seed_accounts``/``seed_users``) survive ``reset()``; touchpoints
    and the events they create do not.
    """

    default_tokens = frozenset({"totango-token"})

    def __init__(
        self, port: int = 0, *, accounts: int = 10, users: int = 0, host: str = "127.0.0.1"
    ) -> None:
        self.accounts: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] = []
        self._accounts_by_name: dict[str, dict[str, Any]] = {}
        self._seeded_events: list[dict[str, Any]] = []
        super().__init__(port, host=host)
        self.seed_accounts(accounts)
        self.seed_users(users)

    # -- seeding ------------------------------------------------------------------------------

    def seed_accounts(self, count: int) -> list[dict[str, Any]]:
        """Replace the accounts with ``acc-0001``.. ``acc-NNNN`` (deterministic attributes)."""
        accounts = [_seed_account(number) for number in range(1, count + 1)]
        with self._lock:
            self.accounts = accounts
            self._accounts_by_name = {account["name"]: account for account in accounts}
            self._seeded_events = [event for account in accounts for event in _seed_events(account)]
        return accounts

    def seed_users(self, count: int) -> list[dict[str, Any]]:
        """Replace the users with ``user-0001``.. spread round-robin over the seeded accounts."""
        if count and not self.accounts:
            raise ValueError("seed accounts before users: every user belongs to an account")
        users = [
            _seed_user(number, self.accounts[(number - 1) % len(self.accounts)])
            for number in range(1, count + 1)
        ]
        with self._lock:
            self.users = users
        return users

    def _reset_state(self) -> None:
        self.touchpoints: dict[str, dict[str, Any]] = {}
        self._touchpoint_events: dict[str, dict[str, Any]] = {}
        self._touchpoints_created = 0

    def state(self) -> dict[str, Any]:
        return {"touchpoints": list(self.touchpoints.values())}

    # -- dispatch -----------------------------------------------------------------------------

    def extract_token(self, request: RecordedRequest) -> str | None:
        return request.headers.get("app-token")

    def rate_limited_response(self) -> Response:
        # What Totango sends past 100 calls/minute is undocumented: 429 + Retry-After *assumed*.
        return json_response(
            {"error": {"type": "rate_limit_exceeded", "message": "100 calls per minute exceeded"}},
            429,
            {"Retry-After": "0"},
        )

    def check_request(self, request: RecordedRequest) -> Response | None:
        token = self.extract_token(request)
        if not token:
            return _auth_failed("missing app-token header")
        if not self.is_valid_token(token):
            return _auth_failed("invalid app-token (tokens are invalidated when regenerated)")
        route = self._route(request)
        if isinstance(route, Response):
            return route
        accepted, _ = route
        # An empty body is the handler's to judge (no query is a 401, per the contract).
        if request.body.strip() and request.content_type not in accepted:
            return _unsupported_body(request, accepted)
        return None

    def handle_api(
        self, request: RecordedRequest, token: str | None, fault: Fault | None
    ) -> Response:
        route = self._route(request)
        assert not isinstance(route, Response), "check_request lets only routed requests in"
        return route[1]()

    def _route(
        self, request: RecordedRequest
    ) -> tuple[frozenset[str], Callable[[], Response]] | Response:
        """The body types an endpoint accepts and its handler; or the 404 or 405 refusal."""
        method, path = request.method, request.path
        routes: dict[str, dict[str, tuple[frozenset[str], Callable[[], Response]]]] = {
            "/api/v1/search/accounts": {
                "POST": (FORM_OR_JSON, lambda: self._search(request, "accounts"))
            },
            "/api/v1/search/users": {
                "POST": (FORM_OR_JSON, lambda: self._search(request, "users"))
            },
            "/api/v3/touchpoints/": {
                "POST": (FORM_OR_JSON, lambda: self._create_touchpoint(request))
            },
            "/api/v3/activity-types/": {"GET": (NO_BODY, lambda: json_response(ACTIVITY_TYPES))},
            "/api/v3/touchpoint-types/": {
                "GET": (NO_BODY, lambda: json_response(TOUCHPOINT_TYPES))
            },
            "/api/v3/touchpoint-tags/": {"GET": (NO_BODY, lambda: json_response(TOUCHPOINT_TAGS))},
            "/api/v2/events/search": {"POST": (FORM_ONLY, lambda: self._search_events(request))},
        }
        if match := _TOUCHPOINT_ID_PATH.match(path):
            # *assumed*: an update takes the same bodies as a creation.
            touchpoint_id = match["id"]
            routes[path] = {
                "PUT": (FORM_OR_JSON, lambda: self._update_touchpoint(request, touchpoint_id))
            }
        elif match := _ACCOUNT_PATH.match(path):
            account_id = match["id"]
            routes[path] = {"GET": (NO_BODY, lambda: self._get_account(account_id))}
        if path not in routes:
            # Paths are matched exactly, trailing slash included, as the contract spells them.
            return _failed(f"not found: {method} {path}", 404)
        route = routes[path].get(method)
        if route is None:
            return _failed(f"method {method} not allowed on {path}", 405)
        return route

    # -- search -------------------------------------------------------------------------------

    def _read_query(self, request: RecordedRequest) -> dict[str, Any] | Response:
        if request.json_is_malformed:
            return _failed("malformed JSON body")
        if request.form is not None:
            raw = request.form.get("query")
        elif isinstance(request.json, dict):
            raw = request.json.get("query")
        else:
            raw = None
        if raw is None:
            # No query means no terms, which Totango answers with 401 (per the contract).
            return _auth_failed("the query parameter with its mandatory 'terms' array is missing")
        if not isinstance(raw, str):
            return _failed("query must be a JSON string")
        try:
            query = json.loads(raw)
        except json.JSONDecodeError as exc:
            return _failed(
                f"malformed query JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            )
        if not isinstance(query, dict):
            return _failed("query must be a JSON object")
        if "terms" not in query:
            return _auth_failed("query.terms is mandatory (an empty array is allowed)")
        terms = query["terms"]
        if not isinstance(terms, list) or not all(isinstance(term, dict) for term in terms):
            return _failed("terms must be an array of objects")
        return query

    def _search(self, request: RecordedRequest, kind: str) -> Response:
        started = time.perf_counter()
        query = self._read_query(request)
        if isinstance(query, Response):
            return query
        count = _int_field(query, "count", MAX_COUNT)
        if isinstance(count, Response):
            return count
        offset = _int_field(query, "offset", 0)
        if isinstance(offset, Response):
            return offset
        if not 1 <= count <= MAX_COUNT:
            return _failed(f"count must be between 1 and {MAX_COUNT}, got {count}")
        if offset < 0:
            return _failed(f"offset must not be negative, got {offset}")
        if offset + count > MAX_REACHABLE_RECORDS:
            return _failed(
                f"offset + count must not exceed {MAX_REACHABLE_RECORDS}"
                f" (offset={offset}, count={count})"
            )
        fields = query.get("fields", [])
        if not isinstance(fields, list) or not all(
            isinstance(f, dict) and isinstance(f.get("field_display_name"), str) for f in fields
        ):
            return _failed("fields must be an array of objects, each with a field_display_name")
        sort_by = query.get("sort_by", "display_name")
        sort_order = query.get("sort_order", "ASC")
        if not isinstance(sort_order, str) or sort_order.upper() not in ("ASC", "DESC"):
            return _failed(f"sort_order must be ASC or DESC, got {json.dumps(sort_order)}")
        # scope and (for users) parent_account_fields are accepted and ignored.

        with self._lock:
            records = self.accounts if kind == "accounts" else self.users
        matched = [r for r in records if all(_matches(r, term) for term in query["terms"])]
        matched.sort(
            key=lambda r: (_sort_key(_lookup(r, sort_by)), r["name"]),
            reverse=sort_order.upper() == "DESC",
        )
        hits = []
        for record in matched[offset : offset + count]:
            hit: dict[str, Any] = {
                "name": record["name"],
                "display_name": record["display_name"],
                "selected_fields": [_selected_value(record, f) for f in fields],
            }
            if kind == "users":
                hit["account"] = dict(record["account"])
            hits.append(hit)
        return json_response(
            {
                "status": "success",
                "service_id": SERVICE_ID,
                "took": int((time.perf_counter() - started) * 1000),
                "response": {kind: {"total_hits": len(matched), "hits": hits}},
            }
        )

    # -- touchpoints --------------------------------------------------------------------------

    def _touchpoint_fields(self, request: RecordedRequest) -> dict[str, Any] | Response:
        if request.json_is_malformed:
            return _failed("malformed JSON body")
        if isinstance(request.json, dict):
            fields = dict(request.json)
        elif request.form is not None:
            fields = dict(request.form)
            # Form posts may repeat touchpoint_tags, which the first-value form dict loses.
            repeated = parse_qs(request.body.decode("utf-8", "replace")).get("touchpoint_tags")
            if repeated and len(repeated) > 1:
                fields["touchpoint_tags"] = repeated
        else:
            fields = {}
        tags = fields.get("touchpoint_tags")
        if isinstance(tags, str):
            # A form can only carry a list as a JSON array string or comma-separated ids.
            if tags.startswith("["):
                try:
                    fields["touchpoint_tags"] = json.loads(tags)
                except ValueError:
                    return _failed("touchpoint_tags must be an array of tag ids")
            else:
                fields["touchpoint_tags"] = [tag for tag in tags.split(",") if tag]
        if "create_date" in fields:
            create_date = fields["create_date"]
            if isinstance(create_date, str) and create_date.isdigit():
                create_date = int(create_date)
            if isinstance(create_date, bool) or not isinstance(create_date, int):
                return _failed("create_date must be epoch milliseconds")
            fields["create_date"] = create_date
        return fields

    def _validate_touchpoint(self, note: dict[str, Any]) -> Response | None:
        account_id, content = note.get("account_id"), note.get("content")
        if not isinstance(account_id, str) or not account_id:
            return _failed("account_id is required")
        if not isinstance(content, str) or not content:
            return _failed("content is required")
        if len(content) > MAX_CONTENT_CHARS:
            return _failed(
                f"content is {len(content)} characters; at most {MAX_CONTENT_CHARS} are allowed"
            )
        if _HTML_TAG.search(content):
            return _failed("content must be plain text; HTML tags are not allowed")
        if account_id not in self._accounts_by_name:
            # *assumed* message and status (contract): 400 account not found.
            return _failed("account not found")
        # activity_type_id / touchpointType / tags are not checked against the lookups:
        # the contract is silent on what Totango does with unknown ids.
        return None

    def _create_touchpoint(self, request: RecordedRequest) -> Response:
        fields = self._touchpoint_fields(request)
        if isinstance(fields, Response):
            return fields
        if error := self._validate_touchpoint(fields):
            return error
        with self._lock:
            self._touchpoints_created += 1
            note = {"id": f"tp-{self._touchpoints_created:06d}", **fields}
            note.setdefault("create_date", int(time.time() * 1000))
            self.touchpoints[note["id"]] = note
            self._touchpoint_events[note["id"]] = self._note_event(note)
        return json_response({"note": note})

    def _update_touchpoint(self, request: RecordedRequest, touchpoint_id: str) -> Response:
        # *assumed*: PUT merges the sent fields into the touchpoint and echoes it like POST.
        fields = self._touchpoint_fields(request)
        if isinstance(fields, Response):
            return fields
        with self._lock:
            current = self.touchpoints.get(touchpoint_id)
            if current is None:
                return _failed("touchpoint not found", 404)
            updated = {**current, **fields, "id": touchpoint_id}
            if error := self._validate_touchpoint(updated):
                return error
            self.touchpoints[touchpoint_id] = updated
            self._touchpoint_events[touchpoint_id] = self._note_event(updated)
        return json_response({"note": updated})

    def _note_event(self, note: dict[str, Any]) -> dict[str, Any]:
        account = self._accounts_by_name[note["account_id"]]
        properties = {
            key: note[key]
            for key in (
                "subject",
                "activity_type_id",
                "touchpoint_tags",
                "touchpointType",
                "created_by",
            )
            if key in note
        }
        return {
            "id": f"ev-{note['id']}",
            "type": "note",
            "timestamp": note["create_date"],
            "account": {"id": account["name"], "display_name": account["display_name"]},
            "note_content": {"note_id": note["id"], "text": note["content"]},
            "properties": properties,
        }

    # -- events and accounts ------------------------------------------------------------------

    def _search_events(self, request: RecordedRequest) -> Response:
        started = time.perf_counter()
        query = self._read_query(request)
        if isinstance(query, Response):
            return query
        if "count" not in query:
            return _failed("count is mandatory for events search")
        count = _int_field(query, "count", None)
        if isinstance(count, Response):
            return count
        page = _int_field(query, "offset", 0)
        if isinstance(page, Response):
            return page
        if not 1 <= count <= MAX_COUNT:
            return _failed(f"count must be between 1 and {MAX_COUNT}, got {count}")
        if page < 0:
            return _failed(f"offset (a page number for events) must not be negative, got {page}")
        account_id = request.form.get("account_id") if request.form is not None else None
        # Terms are not applied to events; an unknown account_id simply matches nothing
        # (*assumed*: the contract does not say whether Totango rejects it).
        with self._lock:
            events = self._seeded_events + list(self._touchpoint_events.values())
        if account_id:
            events = [event for event in events if event["account"]["id"] == account_id]
        # *assumed*: newest first.
        events.sort(key=lambda event: (-event["timestamp"], event["id"]))
        return json_response(
            {
                "status": "success",
                "service_id": SERVICE_ID,
                "took": int((time.perf_counter() - started) * 1000),
                "response": {
                    "events": {
                        "total_hits": len(events),
                        "hits": events[page * count : (page + 1) * count],
                    }
                },
            }
        )

    def _get_account(self, account_id: str) -> Response:
        with self._lock:
            account = self._accounts_by_name.get(account_id)
        if account is None:
            # *assumed*: 404 with the usual failure body.
            return _failed("account not found", 404)
        return json_response(
            {
                "account": {
                    "status": account["status"],
                    "status_group": account["status_group"],
                    "health": {"curr": account["health"]},
                    "attributes": dict(account["attributes"]),
                    "tags": list(account["tags"]),
                }
            }
        )


def _seed_account(number: int) -> dict[str, Any]:
    health = HEALTH_CYCLE[(number - 1) % len(HEALTH_CYCLE)]
    status_group = STATUS_GROUP_CYCLE[(number - 1) % len(STATUS_GROUP_CYCLE)]
    display_name = f"Account {number:04d}"
    return {
        "name": f"acc-{number:04d}",
        "display_name": display_name,
        "status": status_group.capitalize(),
        "status_group": status_group,
        "health": health,
        "attributes": {
            "Account Name": display_name,
            "Health": health,
            "Status Group": status_group,
            "Account Owner": f"owner{(number - 1) % 5 + 1}@example.com",
            "Region": REGION_CYCLE[(number - 1) % len(REGION_CYCLE)],
            "Contract Value": 1000 * number,
            "Renewal Date": f"2025-{(number - 1) % 12 + 1:02d}-01",
        },
        "tags": ["seeded", "enterprise"] if number % 5 == 0 else ["seeded"],
    }


def _seed_user(number: int, account: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"user-{number:04d}",
        "display_name": f"User {number:04d}",
        "account": {"name": account["name"], "display_name": account["display_name"]},
        "attributes": {
            "Email": f"user{number:04d}@example.com",
            "Role": ROLE_CYCLE[(number - 1) % len(ROLE_CYCLE)],
        },
    }


def _seed_events(account: dict[str, Any]) -> list[dict[str, Any]]:
    number = int(account["name"].removeprefix("acc-"))
    ref = {"id": account["name"], "display_name": account["display_name"]}
    base = SEED_EPOCH_MS + number * 10 * HOUR_MS
    return [
        {
            "id": f"ev-{account['name']}-1",
            "type": "note",
            "timestamp": base,
            "account": ref,
            "note_content": {
                "note_id": f"seed-note-{number:04d}",
                "text": f"Kickoff call with {account['display_name']}",
            },
            "properties": {"subject": "Kickoff", "activity_type_id": "onboarding"},
        },
        {
            "id": f"ev-{account['name']}-2",
            "type": "account_alert",
            "timestamp": base + HOUR_MS,
            "account": ref,
            # *assumed*: events that are not notes carry note_content null.
            "note_content": None,
            "properties": {"alert": f"health is {account['health']}"},
        },
    ]
