"""Text helpers: join, split and change the case of text, without code."""

from __future__ import annotations

import json
import re
from typing import Any

from connectors.schema import array, boolean, choice, input_object, output_object, string
from connectors.sdk import Connector, Operation, OperationContext

CASES = {
    "upper": "UPPER CASE",
    "lower": "lower case",
    "title": "Title Case",
    "sentence": "Sentence case",
    "camel": "camelCase",
    "snake": "snake_case",
    "kebab": "kebab-case",
}
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


TEXT_RESULT = output_object({"result": string("Result")})

CONCATENATE = Operation(
    key="concatenate",
    title="Concatenate",
    description="Join values into one text, with a separator between them.",
    input_schema=input_object(
        {
            # Also how a list is joined into text (List helpers has no join of its own): an
            # empty list gives an empty text.
            "values": array(
                "Values",
                "Texts, or numbers and other values written as JSON; null is empty. A list "
                "such as $.steps.list-helpers-1.result is joined; an empty one gives ''.",
            ),
            "separator": string(
                "Separator", "Put between the values, e.g. ', '. Nothing when empty.", default=""
            ),
        },
        required=["values"],
    ),
    output_schema=TEXT_RESULT,
    run=run_concatenate,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

SPLIT = Operation(
    key="split",
    title="Split",
    description="Cut a text into a list at each separator.",
    input_schema=input_object(
        {
            "text": string("Text"),
            "separator": string("Separator", min_length=1, default=","),
            "trim": boolean("Trim", "Remove the spaces around each part.", default=False),
            "remove_empty": boolean("Remove empty parts", default=False),
        },
        required=["text"],
    ),
    output_schema=output_object({"result": array("Parts", items={"type": "string"})}),
    run=run_split,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

CHANGE_CASE = Operation(
    key="change_case",
    title="Change case",
    description="Write a text in upper, lower, title or sentence case, or as a camelCase, "
    "snake_case or kebab-case name.",
    input_schema=input_object(
        {"text": string("Text"), "case": choice("Case", CASES, default="upper")},
        required=["text", "case"],
    ),
    output_schema=TEXT_RESULT,
    run=run_change_case,
    # Computes from its inputs only: safe to run again.
    repeatable=True,
)

CONNECTOR = Connector(
    key="text_helpers",
    title="Text helpers",
    description="Work with text between steps: join, split, change case.",
    icon="icon.svg",
    version="1.0",
    operations=(CONCATENATE, SPLIT, CHANGE_CASE),
)
