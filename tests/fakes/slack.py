"""Fake Slack Web API (auth.test, chat.postMessage, conversations.list, users.lookupByEmail)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .server import FakeServer, Fault, RecordedRequest, Response, json_response

API_PREFIX = "/api/"
TEAM_ID = "T0000000001"
BOT_ID = "B0000000001"
BOT_USER_ID = "U0000000000"
MAX_TEXT_CHARS = 40_000
MAX_ATTACHMENTS = 100
MAX_LIST_LIMIT = 1000
DEFAULT_LIST_LIMIT = 100
# ts values start here and grow by one microsecond per message in each channel.
TS_EPOCH_SECONDS = 1_700_000_000
CHANNEL_TYPES = frozenset({"public_channel", "private_channel", "mpim", "im"})

# The first channels every fake has; seed_channels(n) appends generated public ones.
FIXED_CHANNELS: list[dict[str, Any]] = [
    {"name": "customer-success", "is_private": False, "is_archived": False, "is_member": True},
    {"name": "general", "is_private": False, "is_archived": False, "is_member": True},
    {"name": "old-announcements", "is_private": False, "is_archived": True, "is_member": False},
    {"name": "cs-leadership", "is_private": True, "is_archived": False, "is_member": True},
    # A public channel the bot never joined: posting there answers not_in_channel.
    {"name": "sales", "is_private": False, "is_archived": False, "is_member": False},
]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# The bodies each method takes (contract): chat.postMessage JSON or a form, the others a form.
_BODY_TYPES = {
    "auth.test": frozenset({FORM}),
    "chat.postMessage": frozenset({FORM, JSON}),
    "conversations.list": frozenset({FORM}),
    "users.lookupByEmail": frozenset({FORM}),
}

# Scope each method needs, reported by the -missing-scope fault (auth.test needs none).
_NEEDED_SCOPES = {
    "chat.postMessage": "chat:write",
    "conversations.list": "channels:read,groups:read",
    "users.lookupByEmail": "users:read.email",
}


# What refuse_channels may script: Slack's answers for a channel it cannot post to.
REFUSALS = frozenset({"channel_not_found", "not_in_channel"})


def _ok(**payload: Any) -> Response:
    return json_response({"ok": True, **payload})


def _error(code: str, status: int = 200, **extra: Any) -> Response:
    # Slack reports API errors in the body of an HTTP 200.
    return json_response({"ok": False, "error": code, **extra}, status)


def _truthy(value: Any) -> bool:
    # slack-sdk turns booleans into "1"/"0"; hand-written clients send "true"/"false".
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _encode_cursor(channel_id: str) -> str:
    return base64.b64encode(f"channel:{channel_id}".encode()).decode()


def _decode_cursor(cursor: str) -> str | None:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    kind, _, channel_id = decoded.partition(":")
    return channel_id if kind == "channel" and channel_id else None


def _make_channel(number: int, spec: dict[str, Any]) -> dict[str, Any]:
    channel_id = f"C{number:010d}"
    return {
        "id": channel_id,
        "name": spec["name"],
        "name_normalized": spec["name"],
        "is_channel": not spec["is_private"],
        "is_group": spec["is_private"],
        "is_im": False,
        "is_mpim": False,
        "is_private": spec["is_private"],
        "is_archived": spec["is_archived"],
        "is_general": spec["name"] == "general",
        "is_member": spec["is_member"],
        "num_members": 3 + number * 7 % 40,
        "created": TS_EPOCH_SECONDS - 86_400 * number,
        "creator": "U0000000001",
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": f"Seeded channel {spec['name']}", "creator": "", "last_set": 0},
    }


def _make_user(number: int) -> dict[str, Any]:
    name = f"user{number:04d}"
    real_name = f"User {number:04d}"
    return {
        "id": f"U{number:010d}",
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "is_bot": False,
        "profile": {
            # Same addresses as the Totango fake's seeded users, so flows can join the two.
            "email": f"{name}@example.com",
            "real_name": real_name,
            "display_name": name,
        },
    }


class FakeSlack(FakeServer):
    """Fake Slack Web API under ``/api/<method>``; point slack-sdk at ``base_url + "/api/"``.

    Knobs (attributes, ``configure()`` or ``POST /_fake/config``): ``fail_message_number``
    (the Nth chat.postMessage since reset answers channel_not_found and is not stored) and
    ``fail_channel`` (a channel id or name that always answers channel_not_found) and
    ``refuse_channels`` (channel id or name -> the error every chat.postMessage to it answers,
    channel_not_found or not_in_channel, as Slack does for a channel gone or not joined) and
    ``fail_next_messages`` (that many chat.postMessage calls from now answer channel_not_found
    and are not stored).
    """

    default_tokens = frozenset({"xoxb-test-token"})
    supported_faults = FakeServer.supported_faults | {
        Fault.FATAL,
        Fault.REVOKED,
        Fault.INACTIVE,
        Fault.MISSING_SCOPE,
    }

    def __init__(
        self,
        port: int = 0,
        *,
        channels: int = len(FIXED_CHANNELS),
        users: int = 5,
        host: str = "127.0.0.1",
    ) -> None:
        self.channels: list[dict[str, Any]] = []
        self.users: list[dict[str, Any]] = []
        super().__init__(port, host=host)
        self.seed_channels(channels)
        self.seed_users(users)

    # -- seeding and state --------------------------------------------------------------------

    def seed_channels(self, count: int) -> list[dict[str, Any]]:
        """Replace the channels: the fixed ones first (up to ``count``), then ``channel-NNNN``."""
        specs = FIXED_CHANNELS[:count] + [
            {
                "name": f"channel-{n:04d}",
                "is_private": False,
                "is_archived": False,
                "is_member": True,
            }
            for n in range(len(FIXED_CHANNELS) + 1, count + 1)
        ]
        channels = [_make_channel(number, spec) for number, spec in enumerate(specs, start=1)]
        with self._lock:
            self.channels = channels
        return channels

    def seed_users(self, count: int) -> list[dict[str, Any]]:
        """Replace the users with ``user0001@example.com``.. (ids ``U0000000001``..)."""
        users = [_make_user(number) for number in range(1, count + 1)]
        with self._lock:
            self.users = users
        return users

    def _reset_state(self) -> None:
        self._messages: list[dict[str, Any]] = []
        self._last_ts_counter: dict[str, int] = {}
        self._post_message_calls = 0
        self.fail_message_number: int | None = None
        self.fail_channel: str | None = None
        self.refuse_channels: dict[str, str] = {}
        self.fail_next_messages = 0

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Stored messages ``{channel, text, blocks, thread_ts, ts}`` in arrival order."""
        with self._lock:
            return [dict(message) for message in self._messages]

    def state(self) -> dict[str, Any]:
        return {"messages": self.messages, "post_message_calls": self._post_message_calls}

    def _vendor_config(self) -> dict[str, Any]:
        return {
            "fail_message_number": self.fail_message_number,
            "fail_channel": self.fail_channel,
            "refuse_channels": dict(self.refuse_channels),
            "fail_next_messages": self.fail_next_messages,
        }

    def _set_vendor_knob(self, name: str, value: Any) -> None:
        if name == "fail_message_number":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ValueError("fail_message_number must be a positive integer or null")
            if value is not None and value < 1:
                raise ValueError("fail_message_number must be a positive integer or null")
            self.fail_message_number = value
        elif name == "fail_channel":
            if value is not None and not isinstance(value, str):
                raise ValueError("fail_channel must be a channel id or name, or null")
            self.fail_channel = value
        elif name == "refuse_channels":
            if not isinstance(value, dict) or not all(
                isinstance(key, str) and code in REFUSALS for key, code in value.items()
            ):
                raise ValueError(
                    f"refuse_channels must map channel ids or names to one of {sorted(REFUSALS)}"
                )
            self.refuse_channels = dict(value)
        elif name == "fail_next_messages":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("fail_next_messages must be a whole number, 0 or more")
            self.fail_next_messages = value
        else:
            super()._set_vendor_knob(name, value)

    # -- dispatch -----------------------------------------------------------------------------

    def extract_token(self, request: RecordedRequest) -> str | None:
        # The contract's only place for the token: a token argument in the body or the query
        # string (which old Slack apps may still use) is not read, so a client sending one
        # is told not_authed.
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
        return None

    def rate_limited_response(self) -> Response:
        # slack-sdk's RateLimitErrorRetryHandler does int(Retry-After): it must be an integer.
        return json_response({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "0"})

    def check_request(self, request: RecordedRequest) -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return json_response({"ok": False, "error": "not_found"}, 404)
        method = request.path.removeprefix(API_PREFIX).rstrip("/")
        if method not in _BODY_TYPES:
            # *assumed*: HTTP 404 with unknown_method, checked before auth.
            return _error("unknown_method", 404, req_method=method)
        if request.method != "POST":
            # *assumed*: the contract has every call POSTed; another verb is refused.
            return _error("method_not_allowed", 405, req_method=method)
        if request.body.strip() and request.content_type not in _BODY_TYPES[method]:
            # Slack's code for a body type a method does not read; which types each method
            # reads is the contract's (chat.postMessage JSON or a form, the others a form).
            return _error("invalid_post_type")
        if request.json_is_malformed:
            # *assumed* error code for a JSON body that does not parse.
            return _error("invalid_json")
        token = self.extract_token(request)
        if not token:
            return _error("not_authed")
        if not self.is_valid_token(token):
            return _error("invalid_auth")
        return None

    def handle_api(
        self, request: RecordedRequest, token: str | None, fault: Fault | None
    ) -> Response:
        method = request.path.removeprefix(API_PREFIX).rstrip("/")
        handlers = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "conversations.list": self._list_conversations,
            "users.lookupByEmail": self._lookup_user_by_email,
        }
        handler = handlers[method]
        if fault is Fault.REVOKED:
            return _error("token_revoked")
        if fault is Fault.INACTIVE:
            return _error("account_inactive")
        if fault is Fault.FATAL:
            return _error("fatal_error")
        if fault is Fault.MISSING_SCOPE and method in _NEEDED_SCOPES:
            return _error(
                "missing_scope", needed=_NEEDED_SCOPES[method], provided="channels:history"
            )
        return handler(self._params(request))

    @staticmethod
    def _params(request: RecordedRequest) -> dict[str, Any]:
        # Arguments may also come in the query string; the token never does (extract_token).
        params: dict[str, Any] = {key: values[0] for key, values in request.query.items()}
        if request.form:
            params.update(request.form)
        if isinstance(request.json, dict):
            params.update(request.json)
        return params

    # -- methods ------------------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any]) -> Response:
        return _ok(
            url="https://fake-workspace.slack.com/",
            team="Fake Workspace",
            user="workflow-bot",
            team_id=TEAM_ID,
            user_id=BOT_USER_ID,
            bot_id=BOT_ID,
            is_enterprise_install=False,
        )

    def _find_channel(self, reference: str) -> dict[str, Any] | None:
        name = reference.removeprefix("#")
        for channel in self.channels:
            if channel["id"] == reference or channel["name"] == name:
                return channel
        return None

    def refused(self, channel: dict[str, Any] | None) -> str:
        """The error refuse_channels scripts for this channel, if any."""
        if channel is None:
            return ""
        return self.refuse_channels.get(channel["id"]) or self.refuse_channels.get(
            channel["name"], ""
        )

    def _post_message(self, params: dict[str, Any]) -> Response:
        with self._lock:
            self._post_message_calls += 1
            call_number = self._post_message_calls
            reference = params.get("channel")
            if not isinstance(reference, str) or not reference:
                return _error("channel_not_found")
            channel = self._find_channel(reference)
            refused = self.refused(channel)
            if refused:
                return _error(refused)
            if self.fail_next_messages > 0:
                self.fail_next_messages -= 1
                return _error("channel_not_found")
            failing = self._find_channel(self.fail_channel) if self.fail_channel else None
            if (
                call_number == self.fail_message_number
                or channel is None
                or (failing is not None and failing["id"] == channel["id"])
            ):
                return _error("channel_not_found")
            if channel["is_archived"]:
                return _error("is_archived")
            if not channel["is_member"]:
                return _error("not_in_channel")

            blocks = self._json_list(params.get("blocks"))
            if blocks is None:
                return _error("invalid_blocks")
            # *assumed* code for attachments that are not a JSON array.
            attachments = self._json_list(params.get("attachments"))
            if attachments is None:
                return _error("invalid_attachments")
            text = params.get("text")
            text = None if text is None else str(text)
            if not text and not blocks and not attachments:
                return _error("no_text")
            if text is not None and len(text) > MAX_TEXT_CHARS:
                return _error("msg_too_long")
            if len(attachments) > MAX_ATTACHMENTS:
                return _error("too_many_attachments")

            # thread_ts is stored as given; Slack's handling of unknown parents is not modelled.
            thread_ts = params.get("thread_ts") or None
            ts = self._next_ts(channel["id"])
            self._messages.append(
                {
                    "channel": channel["id"],
                    "text": text,
                    "blocks": blocks or None,
                    "thread_ts": thread_ts,
                    "ts": ts,
                }
            )
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": text or "",
            "bot_id": BOT_ID,
            "ts": ts,
        }
        if blocks:
            message["blocks"] = blocks
        if attachments:
            message["attachments"] = attachments
        if thread_ts:
            message["thread_ts"] = thread_ts
        # Per-channel pacing (about 1 message/s) is not enforced; use -ratelimited tokens.
        return _ok(channel=channel["id"], ts=ts, message=message)

    @staticmethod
    def _json_list(value: Any) -> list[Any] | None:
        """A list from a JSON body value or a form's JSON string; [] when absent, None if bad."""
        if value is None or value == "":
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        return value if isinstance(value, list) else None

    def _next_ts(self, channel_id: str) -> str:
        counter = self._last_ts_counter.get(channel_id, 0) + 1
        self._last_ts_counter[channel_id] = counter
        seconds, micros = divmod(counter, 1_000_000)
        return f"{TS_EPOCH_SECONDS + seconds}.{micros:06d}"

    def _list_conversations(self, params: dict[str, Any]) -> Response:
        raw_limit = params.get("limit", DEFAULT_LIST_LIMIT)
        try:
            limit = int(raw_limit)
        except (TypeError, ValueError):
            return _error("invalid_limit")
        # *assumed*: limits outside 1..1000 are refused rather than clamped.
        if isinstance(raw_limit, bool) or not 1 <= limit <= MAX_LIST_LIMIT:
            return _error("invalid_limit")
        types = {t.strip() for t in str(params.get("types") or "public_channel").split(",")}
        if not types <= CHANNEL_TYPES:
            # *assumed* code for an unknown conversation type.
            return _error("invalid_types")
        exclude_archived = _truthy(params.get("exclude_archived", False))

        with self._lock:
            channels = list(self.channels)
        start = 0
        cursor = params.get("cursor")
        if cursor:
            after_id = _decode_cursor(str(cursor))
            ids = [channel["id"] for channel in channels]
            if after_id not in ids:
                return _error("invalid_cursor")
            start = ids.index(after_id)
        # The cursor names the next channel, so paging stays stable whatever the filters.
        remaining = [
            channel
            for channel in channels[start:]
            if ("private_channel" if channel["is_private"] else "public_channel") in types
            and not (exclude_archived and channel["is_archived"])
        ]
        page = remaining[:limit]
        next_cursor = _encode_cursor(remaining[limit]["id"]) if len(remaining) > limit else ""
        return _ok(
            channels=[dict(channel) for channel in page],
            response_metadata={"next_cursor": next_cursor},
        )

    def _lookup_user_by_email(self, params: dict[str, Any]) -> Response:
        email = params.get("email")
        if not isinstance(email, str) or not email:
            return _error("invalid_arguments")
        with self._lock:
            for user in self.users:
                if user["profile"]["email"].lower() == email.strip().lower():
                    return _ok(user=json.loads(json.dumps(user)))
        return _error("users_not_found")
