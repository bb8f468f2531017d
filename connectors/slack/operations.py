"""Slack operations, driven through slack-sdk."""

from __future__ import annotations

from typing import Any

from connectors.errors import InputError, TerminalError
from connectors.schema import (
    array,
    boolean,
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
from connectors.slack.client import slack_client

CONVERSATION_TYPES = {
    "public_channel": "Public channels",
    "private_channel": "Private channels",
    "mpim": "Group direct messages",
    "im": "Direct messages",
}
CHANNEL = identifier("Channel", "A channel id (C0123…) or #name.")
UNTITLED_STRING = {"type": "string"}


def run_send_message(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    if not inputs.get("text") and not inputs.get("blocks"):
        raise InputError("Send message needs a Message text or Blocks.")
    return slack_client(context).call(
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
    input_schema=input_object(
        {
            "channel": CHANNEL,
            "text": string(
                "Message",
                "The message text (Slack mrkdwn). Needed unless Blocks are given.",
                max_length=40000,
            ),
            "blocks": array(
                "Blocks",
                "Block Kit blocks; Message becomes the notification text.",
                items={"type": "object"},
            ),
            "thread_ts": string("Thread", "The ts of a message to reply to in its thread."),
        },
        required=["channel"],
    ),
    output_schema=output_object(
        {
            "ok": boolean("OK"),
            "channel": string("Channel id"),
            "ts": string("Message ts"),
            "message": obj(
                "Message",
                {"text": UNTITLED_STRING, "ts": UNTITLED_STRING, "bot_id": UNTITLED_STRING},
            ),
        },
        required=(),
    ),
    run=run_send_message,
)


def run_list_conversations(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    slack = slack_client(context)
    channels: list[dict[str, Any]] = []
    cursor: str | None = None
    seen_cursors: set[str] = set()
    while True:
        page = slack.call(
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
    input_schema=input_object(
        {
            "types": array(
                "Types",
                "Which conversations to list; public channels when empty.",
                items={
                    "type": "string",
                    "enum": list(CONVERSATION_TYPES),
                    "enumNames": list(CONVERSATION_TYPES.values()),
                },
                unique_items=True,
                default=["public_channel"],
            ),
            "exclude_archived": boolean("Exclude archived", default=False),
            "limit": page_size(
                maximum=1000,
                default=200,
                description="Channels per call to Slack; every page is fetched whatever it is.",
            ),
        }
    ),
    output_schema=output_object(
        {
            "channels": array(
                "Channels",
                items=item(
                    {
                        "id": string("ID"),
                        "name": string("Name"),
                        "is_private": boolean("Is private"),
                        "is_archived": boolean("Is archived"),
                        "is_member": boolean("Bot is a member"),
                        "num_members": integer("Members"),
                    }
                ),
            )
        }
    ),
    run=run_list_conversations,
    # A read: safe to run again after a lost worker.
    repeatable=True,
)


def run_get_user_by_email(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    answer = slack_client(context).call(
        "users.lookupByEmail", log=context.log, email=inputs["email"]
    )
    return {"user": answer["user"]}


GET_USER_BY_EMAIL = Operation(
    key="get_user_by_email",
    title="Get user by email",
    description="Find a member of the workspace by email address (needs users:read.email).",
    input_schema=input_object(
        {"email": string("Email", "e.g. ada@example.com", min_length=3)}, required=["email"]
    ),
    output_schema=output_object(
        {
            "user": obj(
                "User",
                {
                    "id": string("User ID"),
                    "name": string("Username"),
                    "real_name": string("Real name"),
                    "profile": obj("Profile", {"email": string("Email")}),
                },
            )
        }
    ),
    run=run_get_user_by_email,
    # A read: safe to run again after a lost worker.
    repeatable=True,
)
