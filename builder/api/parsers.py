"""Request body parsers that refuse, naming the field, what PostgreSQL or the engine cannot take."""

from __future__ import annotations

import array
import itertools
import math
import re
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http.request import _ImmutableQueryDict
    from django.utils.datastructures import MultiValueDict

from accounts.errors import DomainError, FieldError

# A JSON string, escapes included: its brackets are text, not structure.
JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
# Each opening bracket a step down (+1), each closing one a step up (-1 as a signed byte).
BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
NUL = "\x00"
NUL_ESCAPE = "\\u0000"
NUL_MESSAGE = "contains the NUL character (\\u0000), which cannot be stored"
# Python reads 1e400 as infinity; no JSON column (nor JSON itself) holds it.
NOT_FINITE_MESSAGE = "is not a finite number, which cannot be stored"
# A body full of NUL characters would otherwise get an answer as large as itself.
MAX_REPORTED_ERRORS = 20


class RequestBodyInvalid(DomainError):
    """A body refused before any view reads it; `errors` name each bad field by its path."""


def json_depth(raw: bytes) -> int:
    """How deeply a JSON text nests arrays and objects, measured without parsing it: Python's
    parser recurses once a level, so a deep enough body would end in RecursionError."""
    brackets = NOT_BRACKET.sub(b"", JSON_STRING.sub(b"", raw)).translate(BRACKET_STEPS)
    return max(itertools.accumulate(array.array("b", brackets)), default=0)


def too_deep_message() -> str:
    return (
        f"The request body nests arrays and objects deeper than {settings.API_MAX_JSON_DEPTH} "
        "levels (API_MAX_JSON_DEPTH)."
    )


def check_json_depth(raw: bytes) -> None:
    if json_depth(raw) > settings.API_MAX_JSON_DEPTH:
        message = too_deep_message()
        raise RequestBodyInvalid(message, errors=[FieldError("", message)])


def unstorable_errors(data: Any) -> Iterator[FieldError]:
    """Each string or key holding a NUL character, and each number too large to be finite, by
    its path (definition.steps.a.title). Walked without recursion, in document order."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                yield FieldError(path, NUL_MESSAGE)
        elif isinstance(value, float):
            if not math.isfinite(value):
                yield FieldError(path, NOT_FINITE_MESSAGE)
        elif isinstance(value, dict):
            children = []
            for key, member in value.items():
                key_text = str(key)
                if NUL in key_text:
                    yield FieldError(path, f"the key {key_text!r} {NUL_MESSAGE}")
                children.append((join(path, key_text), member))
            pending.extend(reversed(children))
        elif isinstance(value, list):
            pending.extend(
                reversed([(join(path, str(index)), item) for index, item in enumerate(value)])
            )


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def refuse_unstorable(data: Any) -> None:
    errors = list(itertools.islice(unstorable_errors(data), MAX_REPORTED_ERRORS))
    if errors:
        raise RequestBodyInvalid("The request is invalid.", errors=errors)


def refuse_form(form: QueryDict) -> None:
    """A form's values may be JSON (a JSONField sent in a form), parsed only by the field: so
    the escape \\u0000 counts as a NUL character there, and their depth is bounded too. A field
    named twice is one field: its path is its name."""
    refuse_unstorable(
        {
            key: NUL if any(NUL_ESCAPE in value.lower() for value in values) else "".join(values)
            for key, values in form.lists()
        }
    )
    for _, values in form.lists():
        for value in values:
            check_json_depth(value.encode())


class JSONParser(parsers.JSONParser):
    """DRF's parser, also refusing NUL characters (PostgreSQL stores none, in text or JSON)
    and numbers too large to be finite (DRF refuses NaN and Infinity themselves).
    The depth of every JSON body is bounded before this, by config.middleware."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # any JSON value, not only the object DRF's stubs say
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> _ImmutableQueryDict:
        data = super().parse(stream, media_type, parser_context)
        refuse_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> parsers.DataAndFiles[_ImmutableQueryDict, MultiValueDict[str, UploadedFile]]:
        parsed = super().parse(stream, media_type, parser_context)
        refuse_form(parsed.data)
        return parsed
