"""Text helpers: join, split and change the case of text, without code."""

from __future__ import annotations

import json
import re
from typing import Any

from connectors.sdk import Connector, Operation, OperationContext

CASES = ("upper", "lower", "title", "sentence", "camel", "snake", "kebab")
# A word starts where a capital follows a small letter or digit (accountName), or where a run
# of capitals meets a capitalised word (HTTPClient).
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[\W_]+")


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def words(text: str) -> list[str]:
    return [
        word
        for chunk in _SEPARATORS.split(text)
        for word in _WORD_BOUNDARY.sub(" ", chunk).split(" ")
        if word
    ]


def change_case(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "title":
        return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))
    if case == "sentence":
        return text[:1].upper() + text[1:].lower()
    parts = [word.lower() for word in words(text)]
    if case == "camel":
        return "".join(parts[:1] + [part.capitalize() for part in parts[1:]])
    return ("_" if case == "snake" else "-").join(parts)


def run_concatenate(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": inputs.get("separator", "").join(as_text(v) for v in inputs["values"])}


def run_split(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    parts = inputs["text"].split(inputs.get("separator", ","))
    if inputs.get("trim", False):
        parts = [part.strip() for part in parts]
    if inputs.get("remove_empty", False):
        parts = [part for part in parts if part]
    return {"result": parts}


def run_change_case(context: OperationContext, inputs: dict[str, Any]) -> dict[str, Any]:
    return {"result": change_case(inputs["text"], inputs["case"])}


TEXT_RESULT = {
    "type": "object",
    "required": ["result"],
    "properties": {"result": {"type": "string", "title": "Result"}},
}

CONCATENATE = Operation(
    key="concatenate",
    title="Concatenate",
    description="Join values into one text, with a separator between them.",
    input_schema={
        "type": "object",
        "required": ["values"],
        "additionalProperties": False,
        "properties": {
            "values": {
                "type": "array",
                "title": "Values",
                "description": "Texts, or numbers and other values written as JSON; null is empty.",
                "minItems": 1,
            },
            "separator": {
                "type": "string",
                "title": "Separator",
                "description": "Put between the values, e.g. ', '. Nothing when empty.",
                "default": "",
            },
        },
    },
    output_schema=TEXT_RESULT,
    run=run_concatenate,
)

SPLIT = Operation(
    key="split",
    title="Split",
    description="Cut a text into a list at each separator.",
    input_schema={
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "title": "Text"},
            "separator": {
                "type": "string",
                "title": "Separator",
                "minLength": 1,
                "default": ",",
            },
            "trim": {
                "type": "boolean",
                "title": "Trim",
                "description": "Remove the spaces around each part.",
                "default": False,
            },
            "remove_empty": {
                "type": "boolean",
                "title": "Remove empty parts",
                "default": False,
            },
        },
    },
    output_schema={
        "type": "object",
        "required": ["result"],
        "properties": {"result": {"type": "array", "title": "Parts", "items": {"type": "string"}}},
    },
    run=run_split,
)

CHANGE_CASE = Operation(
    key="change_case",
    title="Change case",
    description="Write a text in upper, lower, title or sentence case, or as a camelCase, "
    "snake_case or kebab-case name.",
    input_schema={
        "type": "object",
        "required": ["text", "case"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "title": "Text"},
            "case": {
                "type": "string",
                "title": "Case",
                "enum": list(CASES),
                "enumNames": [
                    "UPPER CASE",
                    "lower case",
                    "Title Case",
                    "Sentence case",
                    "camelCase",
                    "snake_case",
                    "kebab-case",
                ],
                "default": "upper",
            },
        },
    },
    output_schema=TEXT_RESULT,
    run=run_change_case,
)

CONNECTOR = Connector(
    key="text_helpers",
    title="Text helpers",
    description="Work with text between steps: join, split, change case.",
    icon="icon.svg",
    version="1.0",
    operations=(CONCATENATE, SPLIT, CHANGE_CASE),
)
