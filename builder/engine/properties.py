"""Typed property values: parsed once when a definition is compiled, resolved against a run's scope.

A property is `{"type": ..., "value": ...}`: string (with `{$.path}` interpolation), number,
integer, boolean, object and array (members typed the same way), null, or jsonpath (with an
optional typed `fallback`). The scope a jsonpath reads is `{"steps": {<step name>: output}}`.
A jsonpath goes down from `$`: names, `['name']`, `[n]`, `[a:b]`, `*` and `..` (descendants);
the rest of jsonpath-ng's grammar is refused when the definition is saved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jsonpath_ng import JSONPath, parse
from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.jsonpath import (
    Child,
    Descendants,
    Fields,
    Index,
    Parent,
    Root,
    Slice,
    This,
    Where,
    WhereNot,
    Wildcard,
)

PROPERTY_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null", "jsonpath")
INTERPOLATION = re.compile(r"\{(\$[^{}]*)\}")
_MISSING = object()
# What may follow a `.`, `..` or `[` of a supported jsonpath.
SELECTORS = (Fields, Wildcard, Index, Slice)
SUPPORTED_JSONPATH = (
    "a jsonpath here starts at $ and goes down with .name, ['name'], [n], [a:b], * and .. "
    "(descendants)"
)


class PropertyShapeError(ValueError):
    """A typed value that is not of the shape its type requires; `path` is relative to it."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class UnresolvedPath(LookupError):
    def __init__(self, expression: str) -> None:
        super().__init__(expression)
        self.expression = expression


def flatten_path(expression: JSONPath) -> list[Any] | None:
    """The keys of a simple path ($.a.b[0].c) in order, or None when it needs jsonpath-ng."""
    keys: list[Any] = []
    node = expression
    while isinstance(node, Child):
        right = node.right
        if isinstance(right, Fields) and len(right.fields) == 1:
            keys.append(right.fields[0])
        elif isinstance(right, Index) and len(right.indices) == 1:
            keys.append(right.indices[0])
        else:
            return None
        node = node.left
    if not isinstance(node, Root):
        return None
    keys.reverse()
    return keys


def unsupported_construct(expression: JSONPath) -> str | None:
    """What in a parsed path the engine does not support, or None.

    `this`, `parent`, where, | and & either read outside the step the path names (so a save
    could not check the step runs first) or fail when a run resolves them; a `$` inside the
    path starts again from the top. Walked without recursion: a path may be very long.
    """
    node = expression
    while isinstance(node, (Child, Descendants)):
        if not isinstance(node.right, SELECTORS):
            return describe_construct(node.right)
        node = node.left
    return None if isinstance(node, Root) else describe_construct(node)


def describe_construct(node: JSONPath) -> str:
    if isinstance(node, Root):
        return "a $ after the start of the path"
    if isinstance(node, (Child, Descendants)):
        return "parentheses"
    if isinstance(node, WhereNot):
        return "wherenot"
    if isinstance(node, Where):
        return "where"
    named = {This: "`this`", Parent: "`parent`"}
    for kind, name in named.items():
        if isinstance(node, kind):
            return name
    operators = {"_Union": "| (union)", "_Intersect": "& (intersection)"}
    return operators.get(type(node).__name__, type(node).__name__)


@dataclass(frozen=True)
class JsonPathExpression:
    """A jsonpath parsed once; simple paths are walked directly, the rest by jsonpath-ng."""

    text: str
    parsed: JSONPath
    keys: tuple[Any, ...] | None

    @classmethod
    def compile(cls, text: str) -> JsonPathExpression:
        if not isinstance(text, str) or not text.startswith("$"):
            raise PropertyShapeError(f"{text!r} is not a jsonpath: it must start with $.")
        try:
            parsed = parse(text)
        except (JsonPathParserError, JsonPathLexerError, Exception) as error:
            raise PropertyShapeError(f"{text!r} is not a valid jsonpath: {error}") from None
        construct = unsupported_construct(parsed)
        if construct is not None:
            raise PropertyShapeError(
                f"{text!r} uses {construct}, which is not supported: {SUPPORTED_JSONPATH}."
            )
        keys = flatten_path(parsed)
        return cls(text=text, parsed=parsed, keys=tuple(keys) if keys is not None else None)

    @property
    def step_name(self) -> str | None:
        """The step a `$.steps.<name>...` path reads from."""
        keys = self.keys if self.keys is not None else flatten_prefix(self.parsed)
        if len(keys) >= 2 and keys[0] == "steps" and isinstance(keys[1], str):
            return keys[1]
        return None

    def find(self, scope: dict[str, Any]) -> Any:
        if self.keys is not None:
            value: Any = scope
            for key in self.keys:
                try:
                    value = value[key]
                except (KeyError, IndexError, TypeError):
                    raise UnresolvedPath(self.text) from None
            return value
        matches = self.parsed.find(scope)
        if not matches:
            raise UnresolvedPath(self.text)
        if len(matches) == 1 and not has_wildcard(self.parsed):
            return matches[0].value
        return [match.value for match in matches]


def flatten_prefix(expression: JSONPath) -> list[Any]:
    """The leading simple keys of any path ($.steps.a.hits[*] or $.steps.a..id → steps, a)."""
    chain: list[Child | Descendants] = []
    node = expression
    while isinstance(node, (Child, Descendants)):
        chain.append(node)
        node = node.left
    keys: list[Any] = []
    for part in reversed(chain):
        if (
            isinstance(part, Child)
            and isinstance(part.right, Fields)
            and len(part.right.fields) == 1
        ):
            keys.append(part.right.fields[0])
        else:
            break
    return keys


def has_wildcard(expression: JSONPath) -> bool:
    """True when a path can match several values (*, .., [a:b], a,b or [0,1]): it gives a list."""
    node = expression
    while isinstance(node, Child):
        right = node.right
        if isinstance(right, Fields) and len(right.fields) != 1:
            return True
        if isinstance(right, Index) and len(right.indices) != 1:
            return True
        if not isinstance(right, (Fields, Index)):
            return True
        node = node.left
    return not isinstance(node, Root)


class CompiledValue:
    """A property value ready to resolve; `references` are the jsonpaths it reads."""

    references: tuple[JsonPathExpression, ...] = ()

    def resolve(self, scope: dict[str, Any]) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class LiteralValue(CompiledValue):
    value: Any

    def resolve(self, scope: dict[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True)
class JsonPathValue(CompiledValue):
    expression: JsonPathExpression
    fallback: CompiledValue | None

    @property
    def references(self) -> tuple[JsonPathExpression, ...]:  # type: ignore[override]
        return (self.expression, *(self.fallback.references if self.fallback else ()))

    def resolve(self, scope: dict[str, Any]) -> Any:
        try:
            return self.expression.find(scope)
        except UnresolvedPath:
            if self.fallback is None:
                raise
            return self.fallback.resolve(scope)


def interpolated_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class TemplateValue(CompiledValue):
    """A string with `{$.path}` parts replaced by what they resolve to."""

    parts: tuple[str | JsonPathExpression, ...]

    @property
    def references(self) -> tuple[JsonPathExpression, ...]:  # type: ignore[override]
        return tuple(part for part in self.parts if isinstance(part, JsonPathExpression))

    def resolve(self, scope: dict[str, Any]) -> str:
        return "".join(
            part if isinstance(part, str) else interpolated_text(part.find(scope))
            for part in self.parts
        )


@dataclass(frozen=True)
class ObjectValue(CompiledValue):
    members: tuple[tuple[str, CompiledValue], ...]

    @property
    def references(self) -> tuple[JsonPathExpression, ...]:  # type: ignore[override]
        return tuple(ref for _, member in self.members for ref in member.references)

    def resolve(self, scope: dict[str, Any]) -> dict[str, Any]:
        return {key: member.resolve(scope) for key, member in self.members}


@dataclass(frozen=True)
class ArrayValue(CompiledValue):
    items: tuple[CompiledValue, ...]

    @property
    def references(self) -> tuple[JsonPathExpression, ...]:  # type: ignore[override]
        return tuple(ref for item in self.items for ref in item.references)

    def resolve(self, scope: dict[str, Any]) -> list[Any]:
        return [item.resolve(scope) for item in self.items]


def compile_template(text: str) -> CompiledValue:
    parts: list[str | JsonPathExpression] = []
    position = 0
    for match in INTERPOLATION.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(JsonPathExpression.compile(match.group(1)))
        position = match.end()
    if not any(isinstance(part, JsonPathExpression) for part in parts):
        return LiteralValue(text)
    if position < len(text):
        parts.append(text[position:])
    return TemplateValue(tuple(parts))


def compile_value(typed: Any) -> CompiledValue:
    """Checks a typed value's shape and compiles it; PropertyShapeError says what is wrong."""
    if not isinstance(typed, dict) or "type" not in typed:
        raise PropertyShapeError('must be a typed value such as {"type": "string", "value": "…"}')
    kind = typed["type"]
    if kind not in PROPERTY_TYPES:
        raise PropertyShapeError(
            f"type {kind!r} is not one of {', '.join(PROPERTY_TYPES)}", path="type"
        )
    unknown = set(typed) - {"type", "value", "fallback"}
    if unknown or ("fallback" in typed and kind != "jsonpath"):
        extra = sorted(
            unknown | ({"fallback"} if kind != "jsonpath" and "fallback" in typed else set())
        )
        raise PropertyShapeError(f"unexpected key {extra[0]!r}", path=extra[0])
    value = typed.get("value", _MISSING)
    if kind == "null":
        if value not in (_MISSING, None):
            raise PropertyShapeError("a null value must have no value or null", path="value")
        return LiteralValue(None)
    if value is _MISSING:
        raise PropertyShapeError("value is missing", path="value")
    if kind == "string":
        if not isinstance(value, str):
            raise PropertyShapeError("must be a string", path="value")
        try:
            return compile_template(value)
        except PropertyShapeError as error:
            raise PropertyShapeError(str(error), path="value") from None
    if kind == "jsonpath":
        try:
            expression = JsonPathExpression.compile(value)
        except PropertyShapeError as error:
            raise PropertyShapeError(str(error), path="value") from None
        fallback = None
        if "fallback" in typed:
            try:
                fallback = compile_value(typed["fallback"])
            except PropertyShapeError as error:
                raise PropertyShapeError(
                    str(error), path=join_path("fallback", error.path)
                ) from None
        return JsonPathValue(expression, fallback)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise PropertyShapeError("must be true or false", path="value")
        return LiteralValue(value)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise PropertyShapeError("must be a whole number", path="value")
        return LiteralValue(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PropertyShapeError("must be a number", path="value")
        return LiteralValue(value)
    if kind == "object":
        if not isinstance(value, dict):
            raise PropertyShapeError("must be an object of typed values", path="value")
        members = []
        for key, member in value.items():
            try:
                members.append((key, compile_value(member)))
            except PropertyShapeError as error:
                raise PropertyShapeError(
                    str(error), path=join_path(f"value.{key}", error.path)
                ) from None
        compiled = ObjectValue(tuple(members))
        return LiteralValue(compiled.resolve({})) if not compiled.references else compiled
    # array
    if not isinstance(value, list):
        raise PropertyShapeError("must be an array of typed values", path="value")
    items = []
    for index, item in enumerate(value):
        try:
            items.append(compile_value(item))
        except PropertyShapeError as error:
            raise PropertyShapeError(
                str(error), path=join_path(f"value.{index}", error.path)
            ) from None
    compiled_array = ArrayValue(tuple(items))
    return (
        LiteralValue(compiled_array.resolve({}))
        if not compiled_array.references
        else compiled_array
    )


def join_path(*parts: str) -> str:
    return ".".join(part for part in parts if part)
