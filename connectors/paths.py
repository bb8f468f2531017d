"""Paths into JSON values, as the Object and List helpers read them: `account.owner`,
`hits[0].name`, `hits.0.name`, `["key.with.dots"]`.

A path is a series of keys and list indexes. A key is written after a dot (`a.b`), or in
brackets and quotes when it holds a dot, a bracket or a quote (`a["b.c"]`, `a['b c']`, with
`\\"` and `\\\\` inside). An index is written in brackets (`[0]`, `[-1]` for the last item) or
after a dot (`.0`); digits read a list's item in a list and the key "0" in an object.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from connectors.comparisons import kind_of
from connectors.errors import InputError

# What a lookup finds where a path leads nowhere (a missing key, an index past the end).
MISSING: Any = object()

_KEY = re.compile(r"[^.\[\]\"']+")
_INDEX = re.compile(r"\[(-?\d+)\]")
_QUOTED = re.compile(r"""\[(["'])((?:\\.|(?!\1).)*)\1\]""")
_ESCAPE = re.compile(r"\\(.)")

Part = str | int


def parse_path(path: str, field: str = "path") -> list[Part]:
    """The keys (str) and indexes (int) of a path; InputError naming `field` when malformed."""
    parts: list[Part] = []
    position = 0
    while position < len(path):
        if path[position] == "." and parts:
            position += 1
        index = _INDEX.match(path, position)
        quoted = _QUOTED.match(path, position)
        key = _KEY.match(path, position)
        if index:
            parts.append(int(index.group(1)))
            position = index.end()
        elif quoted:
            parts.append(_ESCAPE.sub(r"\1", quoted.group(2)))
            position = quoted.end()
        elif key and (position == 0 or path[position - 1] == "."):
            parts.append(key.group(0))
            position = key.end()
        else:
            raise InputError(
                f"'{field}': {path!r} is not a path at character {position + 1}: write keys "
                'as account.owner, items as hits[0], and keys with dots as ["a.b"].'
            )
        if position < len(path) and path[position] not in ".[":
            raise InputError(
                f"'{field}': {path!r} is not a path at character {position + 1}: a key or an "
                "index must be followed by '.' or '['."
            )
    return parts


def check_path(properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """At save: a path typed into the step (its `path` property) can be read."""
    path = properties.get("path")
    if not isinstance(path, str):
        return []
    try:
        parse_path(path)
    except InputError as error:
        return [("path", error.message.removeprefix("'path': ").rstrip("."))]
    return []


def _step(value: Any, part: Part) -> Any:
    if isinstance(value, dict):
        key = str(part)
        return value.get(key, MISSING)
    if isinstance(value, list):
        index = part if isinstance(part, int) else int(part) if part.isdigit() else None
        if index is not None and -len(value) <= index < len(value):
            return value[index]
    return MISSING


def read_path(value: Any, parts: list[Part]) -> Any:
    """The value at the path, or MISSING; an empty path is the value itself."""
    for part in parts:
        value = _step(value, part)
        if value is MISSING:
            break
    return value


def write_path(value: Any, parts: list[Part], new_value: Any, field: str = "path") -> Any:
    """A copy of `value` with `new_value` at the path; the objects and lists on the way are
    copied, the rest shared. A missing key is created (as an object when more of the path
    follows); a list index may be an existing item or the one just past the end (appended)."""
    if not parts:
        return new_value
    part, rest = parts[0], parts[1:]
    if isinstance(value, dict):
        key = str(part)
        copy = dict(value)
        copy[key] = write_path(value.get(key, {}) if rest else None, rest, new_value, field)
        return copy
    if isinstance(value, list):
        index = part if isinstance(part, int) else int(part) if part.isdigit() else None
        if index is None:
            raise InputError(f"'{field}': {part!r} names a key, but the value there is a list.")
        if index == len(value):
            return [*value, write_path({}, rest, new_value, field)]
        if not -len(value) <= index < len(value):
            raise InputError(
                f"'{field}': index {index} is past the end of a list of {len(value)} items."
            )
        copy_list = list(value)
        copy_list[index] = write_path(value[index], rest, new_value, field)
        return copy_list
    raise InputError(f"'{field}': cannot go into {kind_of(value)} at {part!r}.")
