"""Slack operations, driven through slack-sdk."""

from __future__ import annotations

from typing import Any

from connectors.errors import InputError
from connectors.sdk import Operation, OperationContext


def run_send_message(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    if not inputs.get("text") and not inputs.get("blocks"):
        raise InputError("Send message needs a Message text or Blocks.")
    arguments = {"channel": inputs["channel"]}
    for name in ("text", "blocks", "thread_ts"):
        if inputs.get(name):
            arguments[name] = inputs[name]
    return context.client.call("chat.postMessage", log=context.log, **arguments)


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
