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
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.jsonpath import (
    Child,
    Descendants,
    Fields,
    Index,
    JSONPath,
    Parent,
    Root,
    Slice,
    This,
    Where,
    WhereNot,
    Wildcard,
)
from jsonpath_ng.parser import parse

INTERPOLATION = re.compile(r"\{(\$[^{}]*)\}")
_MISSING = object()
# What may follow a `.`, `..` or `[` of a supported jsonpath.
SELECTORS = (Fields, Wildcard, Index, Slice)
# jsonpath-ng finds the matches of a path that is not simple by recursing once per part (and
# Python stops at 1,000 frames): longer ones are refused at save rather than crash a run. Not a
# setting: raising it would bring the crash back. Simple paths ($.a.b[0]) are walked in a loop
# and have no such bound.
MAX_SEARCH_PATH_PARTS = 256
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


def count_parts(expression: JSONPath) -> int:
    """How many selectors a supported path chains after `$` (counted without recursion)."""
    parts, node = 0, expression
    while isinstance(node, (Child, Descendants)):
        parts += 1
        node = node.left
    return parts


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
    def compile(cls, text: object) -> JsonPathExpression:
        """`text` comes from a stored definition: anything JSON holds, checked here."""
        if not isinstance(text, str) or not text.startswith("$"):
            raise PropertyShapeError(f"{text!r} is not a jsonpath: it must start with $.")
        try:
            parsed = parse(text)
        except JSONPathError as error:  # what its lexer and parser raise for a bad path
            raise PropertyShapeError(f"{text!r} is not a valid jsonpath: {error}") from None
        except ValueError:
            # The lexer reads an index with int(), which refuses more than
            # sys.get_int_max_str_digits() digits.
            raise PropertyShapeError(
                f"{text!r} is not a valid jsonpath: a number in it has too many digits."
            ) from None
        construct = unsupported_construct(parsed)
        if construct is not None:
            raise PropertyShapeError(
                f"{text!r} uses {construct}, which is not supported: {SUPPORTED_JSONPATH}."
            )
        keys = flatten_path(parsed)
        if keys is None and (parts := count_parts(parsed)) > MAX_SEARCH_PATH_PARTS:
            raise PropertyShapeError(
                f"{text!r} has {parts} parts; a jsonpath with *, .., slices or lists may have "
                f"at most {MAX_SEARCH_PATH_PARTS}."
            )
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
        # Any other path can match several values (*, .., [a:b], a,b or [0,1]): it gives a list,
        # even of one match, so what a step reads does not change shape with the data.
        matches = self.parsed.find(scope)
        if not matches:
            raise UnresolvedPath(self.text)
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


class CompiledValue(ABC):
    """A property value ready to resolve; `references` are the jsonpaths it reads."""

    references: tuple[JsonPathExpression, ...] = ()

    @abstractmethod
    def resolve(self, scope: dict[str, Any]) -> Any:
        """The value in a run whose outputs so far are `scope`; UnresolvedPath if a path finds
        nothing."""


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
    # Checked as a string first: the type is user input, and a list or object cannot be a key.
    compiler = VALUE_COMPILERS.get(kind) if isinstance(kind, str) else None
    if compiler is None:
        raise PropertyShapeError(
            f"type {kind!r} is not one of {', '.join(PROPERTY_TYPES)}", path="type"
        )
    extra = sorted(set(typed) - {"type", "value", *OPTIONAL_KEYS.get(kind, ())})
    if extra:
        raise PropertyShapeError(f"unexpected key {extra[0]!r}", path=extra[0])
    value = typed.get("value", DEFAULT_VALUES.get(kind, _MISSING))
    if value is _MISSING:
        raise PropertyShapeError("value is missing", path="value")
    return compiler(value, typed)


@contextmanager
def inside(path: str) -> Iterator[None]:
    """Puts `path` before the path of a PropertyShapeError raised within: a member's error,
    seen from the typed value that holds it."""
    try:
        yield
    except PropertyShapeError as error:
        raise PropertyShapeError(str(error), path=join_path(path, error.path)) from None


def compile_null(value: Any, typed: dict[str, Any]) -> CompiledValue:
    if value is not None:
        raise PropertyShapeError("a null value must have no value or null", path="value")
    return LiteralValue(None)


def compile_string(value: Any, typed: dict[str, Any]) -> CompiledValue:
    if not isinstance(value, str):
        raise PropertyShapeError("must be a string", path="value")
    with inside("value"):
        return compile_template(value)


def compile_jsonpath(value: Any, typed: dict[str, Any]) -> CompiledValue:
    with inside("value"):
        expression = JsonPathExpression.compile(value)
    if "fallback" not in typed:
        return JsonPathValue(expression, None)
    with inside("fallback"):
        return JsonPathValue(expression, compile_value(typed["fallback"]))


def literal_of(accepts: Callable[[Any], bool], message: str) -> ValueCompiler:
    """A compiler of a scalar type: the value as it is, if `accepts` it."""

    def compile_literal(value: Any, typed: dict[str, Any]) -> CompiledValue:
        if not accepts(value):
            raise PropertyShapeError(message, path="value")
        return LiteralValue(value)

    return compile_literal


def compile_object(value: Any, typed: dict[str, Any]) -> CompiledValue:
    if not isinstance(value, dict):
        raise PropertyShapeError("must be an object of typed values", path="value")
    members = []
    for key, member in value.items():
        with inside(f"value.{key}"):
            members.append((key, compile_value(member)))
    compiled = ObjectValue(tuple(members))
    # Without a jsonpath inside, the value is known now: resolve it once, not at every step.
    return compiled if compiled.references else LiteralValue(compiled.resolve({}))


def compile_array(value: Any, typed: dict[str, Any]) -> CompiledValue:
    if not isinstance(value, list):
        raise PropertyShapeError("must be an array of typed values", path="value")
    items = []
    for index, item in enumerate(value):
        with inside(f"value.{index}"):
            items.append(compile_value(item))
    compiled = ArrayValue(tuple(items))
    return compiled if compiled.references else LiteralValue(compiled.resolve({}))


def is_number(value: Any) -> bool:
    # JSON has no booleans among its numbers, though Python counts True as 1.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Compiles the value of one type, given the whole typed value; raises PropertyShapeError with
# a path relative to the typed value.
ValueCompiler = Callable[[Any, dict[str, Any]], CompiledValue]
VALUE_COMPILERS: dict[str, ValueCompiler] = {
    "string": compile_string,
    "number": literal_of(is_number, "must be a number"),
    "integer": literal_of(
        lambda value: isinstance(value, int) and not isinstance(value, bool),
        "must be a whole number",
    ),
    "boolean": literal_of(lambda value: isinstance(value, bool), "must be true or false"),
    "object": compile_object,
    "array": compile_array,
    "null": compile_null,
    "jsonpath": compile_jsonpath,
}
PROPERTY_TYPES = tuple(VALUE_COMPILERS)
# Keys a typed value of the type may have beside `type` and `value`.
OPTIONAL_KEYS = {"jsonpath": ("fallback",)}
# What a type's missing value stands for; a type not listed needs its value.
DEFAULT_VALUES: dict[str, Any] = {"null": None}


def join_path(*parts: str) -> str:
    return ".".join(part for part in parts if part)
