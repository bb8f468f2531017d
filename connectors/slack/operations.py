"""Slack operations, driven through slack-sdk."""

from __future__ import annotations

from typing import Any

from connectors.errors import InputError, TerminalError
from connectors.sdk import Operation, OperationContext

CONVERSATION_TYPES = ("public_channel", "private_channel", "mpim", "im")


def run_send_message(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    if not inputs.get("text") and not inputs.get("blocks"):
        raise InputError("Send message needs a Message text or Blocks.")
    return context.client.call(
        "chat.postMessage",
        log=context.log,
        channel=inputs["channel"],
        text=inputs.get("text") or None,
        blocks=inputs.get("blocks") or None,
        thread_ts=inputs.get("thread_ts") or None,
    )


SEND_MESSAGE = Operation(
    key="send_message",
    title="Send message",
    description="Post a message to a channel, optionally in a thread.",
    input_schema={
        "type": "object",
        "required": ["channel"],
        "additionalProperties": False,
        "properties": {
            "channel": {
                "type": "string",
                "title": "Channel",
                "description": "A channel id (C0123…) or #name.",
                "minLength": 1,
            },
            "text": {
                "type": "string",
                "title": "Message",
                "description": "The message text (Slack mrkdwn). Needed unless Blocks are given.",
                "maxLength": 40000,
            },
            "blocks": {
                "type": "array",
                "title": "Blocks",
                "description": "Block Kit blocks; Message becomes the notification text.",
                "items": {"type": "object"},
            },
            "thread_ts": {
                "type": "string",
                "title": "Thread",
                "description": "The ts of a message to reply to in its thread.",
            },
        },
    },
    output_schema={
        "type": "object",
        "properties": {
            "ok": {"type": "boolean", "title": "OK"},
            "channel": {"type": "string", "title": "Channel id"},
            "ts": {"type": "string", "title": "Message ts"},
            "message": {
                "type": "object",
                "title": "Message",
                "properties": {
                    "text": {"type": "string"},
                    "ts": {"type": "string"},
                    "bot_id": {"type": "string"},
                },
            },
        },
    },
    run=run_send_message,
)


def run_list_conversations(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    channels: list[dict[str, Any]] = []
    cursor: str | None = None
    seen_cursors: set[str] = set()
    while True:
        page = context.client.call(
            "conversations.list",
            log=context.log,
            types=",".join(inputs.get("types") or ["public_channel"]),
            exclude_archived=inputs.get("exclude_archived", False),
            limit=inputs.get("limit", 200),
            cursor=cursor,
        )
        channels.extend(page.get("channels", []))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return {"channels": channels}
        if cursor in seen_cursors:
            # Following a cursor Slack already gave would loop for ever.
            raise TerminalError("Slack answered conversations.list with a cursor it gave before.")
        seen_cursors.add(cursor)


LIST_CONVERSATIONS = Operation(
    key="list_conversations",
    title="List conversations",
    description="Every channel of the workspace the bot can see, following every page.",
    input_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "types": {
                "type": "array",
                "title": "Types",
                "description": "Which conversations to list; public channels when empty.",
                "items": {
                    "type": "string",
                    "enum": list(CONVERSATION_TYPES),
                    "enumNames": [
                        "Public channels",
                        "Private channels",
                        "Group direct messages",
                        "Direct messages",
                    ],
                },
                "uniqueItems": True,
                "default": ["public_channel"],
            },
            "exclude_archived": {
                "type": "boolean",
                "title": "Exclude archived",
                "default": False,
            },
            "limit": {
                "type": "integer",
                "title": "Page size",
                "description": "Channels per call to Slack; every page is fetched whatever it is.",
                "minimum": 1,
                "maximum": 1000,
                "default": 200,
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["channels"],
        "properties": {
            "channels": {
                "type": "array",
                "title": "Channels",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "title": "ID"},
                        "name": {"type": "string", "title": "Name"},
                        "is_private": {"type": "boolean", "title": "Is private"},
                        "is_archived": {"type": "boolean", "title": "Is archived"},
                        "is_member": {"type": "boolean", "title": "Bot is a member"},
                        "num_members": {"type": "integer", "title": "Members"},
                    },
                },
            }
        },
    },
    run=run_list_conversations,
)


def run_get_user_by_email(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    answer = context.client.call("users.lookupByEmail", log=context.log, email=inputs["email"])
    return {"user": answer["user"]}


GET_USER_BY_EMAIL = Operation(
    key="get_user_by_email",
    title="Get user by email",
    description="Find a member of the workspace by email address (needs users:read.email).",
    input_schema={
        "type": "object",
        "required": ["email"],
        "additionalProperties": False,
        "properties": {
            "email": {
                "type": "string",
                "title": "Email",
                "description": "e.g. ada@example.com",
                "minLength": 3,
            }
        },
    },
    output_schema={
        "type": "object",
        "required": ["user"],
        "properties": {
            "user": {
                "type": "object",
                "title": "User",
                "properties": {
                    "id": {"type": "string", "title": "User ID"},
                    "name": {"type": "string", "title": "Username"},
                    "real_name": {"type": "string", "title": "Real name"},
                    "profile": {
                        "type": "object",
                        "title": "Profile",
                        "properties": {"email": {"type": "string", "title": "Email"}},
                    },
                },
            }
        },
    },
    run=run_get_user_by_email,
)
